import HTTPTypes
import Hummingbird
import TermAuthCore

extension OAuthErrorCode {
    var httpStatus: HTTPResponse.Status {
        switch self {
        // RFC 6749 §5.2: 400 for every token-endpoint error but invalid_client (a denied device's
        // access_denied included); RFC 6750 §3.1 adds 401 and 403 for the resource server's two.
        case .invalidClient, .invalidToken: return .unauthorized
        case .insufficientScope: return .forbidden
        case .serverError: return .internalServerError
        case .temporarilyUnavailable: return .serviceUnavailable
        default: return .badRequest
        }
    }
}

/// The one place an OAuth error becomes an HTTP answer: status, body and headers for each code.
/// A `TermAuthError` renders itself through it (`TermAuthError+HTTPResponseError.swift`), and so
/// do the resource server's challenges (`BearerChallenge`) and the answers of last resort.
enum OAuthErrorResponse {
    /// RFC 6749 §5.2 allows only %x20-21 / %x23-5B / %x5D-7E in error_description.
    static func wireSafe(_ text: String) -> String {
        String(
            String.UnicodeScalarView(
                text.unicodeScalars.map { s in
                    (s.value >= 0x20 && s.value <= 0x7E && s != "\"" && s != "\\") ? s : "?"
                }))
    }

    /// A token-endpoint style JSON error (RFC 6749 §5.2).
    static func json(_ code: OAuthErrorCode, description: String, status: HTTPResponse.Status? = nil, retryAfter: Int64? = nil) -> Response {
        var headers = HTTPFields.noStore
        if code == .invalidClient { headers[.wwwAuthenticate] = "Basic realm=\"termauth\", charset=\"UTF-8\"" }
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        return JSONBody.response(
            status: status ?? code.httpStatus, headers: headers,
            ["error": code.rawValue, "error_description": wireSafe(description)])
    }

    /// Hummingbird's own 413 (the body passed `maxUploadSize`), in the shape of every other error.
    static var bodyTooLarge: Response {
        json(.invalidRequest, description: "request body too large", status: .contentTooLarge)
    }

    /// Anything not a `TermAuthError` is our fault: say so without details (the log has them).
    static var internalError: Response {
        json(.serverError, description: "internal error")
    }
}
