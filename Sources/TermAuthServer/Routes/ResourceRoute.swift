import HTTPTypes
import Hummingbird
import TermAuthCore

/// `GET /resource`: the built-in demo resource server (seed steps 7–8), with RFC 6750 bearer
/// checks and `WWW-Authenticate` errors.
struct ResourceRoute: Sendable {
    let termAuth: TermAuth

    func register(on router: Router<TermAuthRequestContext>) {
        router.get("resource") { request, _ in try await resource(request) }
    }

    private func resource(_ request: Request) async throws -> Response {
        let scope = termAuth.settings.resourceScope
        guard let header = request.headers[.authorization] else {
            // §3.1: a request without credentials gets the challenge and no error code.
            return BearerChallenge(code: .invalidToken, namesCode: false, scope: scope).response
        }
        let parts = header.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].lowercased() == "bearer", !parts[1].isEmpty else {
            return BearerChallenge(code: .invalidRequest, description: "malformed Authorization header").response
        }
        do {
            let access = try await termAuth.resources.authorize(
                accessToken: String(parts[1]), requiredScope: scope, audiences: [termAuth.settings.tokens.audience(issuer: termAuth.issuer.value)])
            return JSONBody.response(headers: .noStore, ResourceBody(access))
        } catch let error as TermAuthError where error.oauthCode == .invalidToken {
            return BearerChallenge(code: error.oauthCode, description: error.description).response
        } catch let error as TermAuthError where error.oauthCode == .insufficientScope {
            return BearerChallenge(code: error.oauthCode, scope: scope).response
        }
    }
}

/// The demo resource: who the token speaks for.
struct ResourceBody: Encodable {
    let sub: String
    let username: String?
    let name: String?
    let client_id: String
    let scope: String
    let message: String

    init(_ access: ResourceGuard.Access) {
        sub = access.user?.id ?? access.token.clientID
        username = access.user?.username
        name = access.user?.displayName
        client_id = access.token.clientID
        scope = access.token.scopes.string
        message =
            access.user.map { "Hello, \($0.displayName). This resource was served for your access token." }
            ?? "Hello, client \(access.token.clientID). This resource was served for your access token."
    }
}
