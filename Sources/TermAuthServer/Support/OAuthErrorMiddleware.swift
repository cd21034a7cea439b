import Hummingbird
import TermAuthCore

/// The last line of defence: whatever a route lets escape becomes an OAuth error body with the
/// status the one mapping in `OAuthErrorResponse` gives it (storage trouble: 503
/// temporarily_unavailable), never a bare 500. Hummingbird's own answers (404) pass through.
struct OAuthErrorMiddleware: RouterMiddleware {
    func handle(_ request: Request, context: TermAuthRequestContext,
                next: (Request, TermAuthRequestContext) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as any HTTPResponseError where error.status != .contentTooLarge {
            throw error
        } catch {
            return OAuthErrorResponse.unexpected(error, logger: context.logger)
        }
    }
}
