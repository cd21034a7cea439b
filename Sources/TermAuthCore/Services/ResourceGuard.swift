/// What a resource server asks of an access token (RFC 6750): active, and carrying a scope.
public struct ResourceGuard: Sendable {
    let store: any TokenStore & UserStore
    let clock: any WallClock
    let presented: PresentedToken

    public struct Access: Sendable {
        public let token: Token
        public let user: User?
    }

    /// `audience`: the resource server's own identifier; a token issued for another resource
    /// (RFC 8707) is no token here (RFC 9068 §4).
    public func authorize(accessToken: String, requiredScope: String, audience: String? = nil) async throws -> Access {
        guard let hash = await presented.hash(of: accessToken), let token = try await store.token(hash: hash), token.kind == .access,
            token.isActive(at: clock.now())
        else { throw TermAuthError.invalidAccessToken }
        if let audience, let resource = token.resource, resource != audience { throw TermAuthError.invalidAccessToken }
        guard token.scopes.contains(requiredScope) else { throw TermAuthError.insufficientScope(required: requiredScope) }
        var user: User?
        if let userID = token.userID {
            // A removed user's tokens are deleted with them; a missing user means the token is dead.
            guard let found = try await store.user(id: userID) else { throw TermAuthError.invalidAccessToken }
            user = found
        }
        return Access(token: token, user: user)
    }
}
