import HTTPTypes
import Hummingbird
import TermAuthCore

/// Every refusal of the core answers for itself: whatever a route lets escape, Hummingbird's
/// router asks for its response, which the one mapping in `OAuthErrorResponse` writes.
extension TermAuthError: HTTPResponseError {
    public var status: HTTPResponse.Status { oauthCode.httpStatus }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        httpResponse
    }

    /// The same answer, for a route that returns it rather than throwing.
    var httpResponse: Response {
        OAuthErrorResponse.json(oauthCode, description: description, retryAfter: retryAfter)
    }
}
