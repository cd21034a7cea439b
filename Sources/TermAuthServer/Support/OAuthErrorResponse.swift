import Foundation
import HTTPTypes
import Hummingbird
import Logging
import TermAuthCore

/// The one place an error becomes an HTTP answer: status, body and headers for each OAuth code.
enum OAuthErrorResponse {
    static func status(for code: OAuthErrorCode) -> HTTPResponse.Status {
        switch code {
        // RFC 6749 §5.2: 400 for every token-endpoint error but invalid_client (a denied device's
        // access_denied included); RFC 6750 §3.1 adds 401 and 403 for the resource server's two.
        case .invalidClient, .invalidToken: return .unauthorized
        case .insufficientScope: return .forbidden
        case .serverError: return .internalServerError
        case .temporarilyUnavailable: return .serviceUnavailable
        default: return .badRequest
        }
    }

    /// RFC 6749 §5.2 allows only %x20-21 / %x23-5B / %x5D-7E in error_description.
    static func wireSafe(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { s in
            (s.value >= 0x20 && s.value <= 0x7E && s != "\"" && s != "\\") ? s : "?"
        }))
    }

    /// A token-endpoint style JSON error (RFC 6749 §5.2).
    static func json(_ error: TermAuthError) -> Response {
        let code = error.oauthCode
        var headers = HTTPFields.noStore
        if code == .invalidClient { headers[.wwwAuthenticate] = "Basic realm=\"termauth\", charset=\"UTF-8\"" }
        if let seconds = error.retryAfter { headers[.retryAfter] = String(seconds) }
        return JSONBody.response(
            status: status(for: code), headers: headers,
            ["error": code.rawValue, "error_description": wireSafe(error.description)])
    }

    /// Anything not a `TermAuthError` is our fault: say so without details, log the details.
    static func unexpected(_ error: any Error, logger: Logger) -> Response {
        if let error = error as? TermAuthError { return json(error) }
        if let error = error as? any HTTPResponseError, error.status == .contentTooLarge {
            return JSONBody.response(status: .contentTooLarge, headers: .noStore,
                                     ["error": "invalid_request", "error_description": "request body too large"])
        }
        logger.error("unexpected error", metadata: ["error": "\(String(reflecting: type(of: error)))"])
        return JSONBody.response(status: .internalServerError, headers: .noStore,
                                 ["error": "server_error", "error_description": "internal error"])
    }
}
