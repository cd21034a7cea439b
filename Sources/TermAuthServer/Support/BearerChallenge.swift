import HTTPTypes
import Hummingbird
import TermAuthCore

/// A resource server's refusal (RFC 6750 §3): the OAuth error code in a `WWW-Authenticate:
/// Bearer` challenge and in the body, with the status `OAuthErrorResponse` gives the code.
struct BearerChallenge {
    let code: OAuthErrorCode
    /// §3.1: a request without any credentials gets the challenge but no error code.
    var namesCode = true
    var description: String?
    var scope: String?

    var header: String {
        var value = "Bearer realm=\"termauth\""
        if namesCode { value += ", error=\"\(code.rawValue)\"" }
        if let description { value += ", error_description=\"\(OAuthErrorResponse.wireSafe(description))\"" }
        if let scope { value += ", scope=\"\(scope)\"" }
        return value
    }

    var response: Response {
        var headers = HTTPFields.noStore
        headers[.wwwAuthenticate] = header
        return JSONBody.response(status: code.httpStatus, headers: headers, ["error": code.rawValue])
    }
}
