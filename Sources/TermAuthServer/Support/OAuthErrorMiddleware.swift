import Hummingbird

/// The last line of defence. A `TermAuthError` renders itself (storage trouble: 503
/// temporarily_unavailable), and so do Hummingbird's own answers (404); anything else a route
/// lets escape still becomes an OAuth error body, never a bare 500, and Hummingbird's 413 gets
/// the same shape.
struct OAuthErrorMiddleware: RouterMiddleware {
    func handle(
        _ request: Request, context: TermAuthRequestContext,
        next: (Request, TermAuthRequestContext) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            return OAuthErrorResponse.bodyTooLarge
        } catch let error as any HTTPResponseError {
            throw error
        } catch {
            context.logger.error("unexpected error", metadata: ["error": "\(String(reflecting: type(of: error)))"])
            return OAuthErrorResponse.internalError
        }
    }
}
