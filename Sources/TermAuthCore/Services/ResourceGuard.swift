/// What a resource server asks of an access token (RFC 6750): active, and carrying a scope.
public struct ResourceGuard: Sendable {
    let store: any TokenStore & UserStore
    let clock: any WallClock
    let presented: PresentedToken

    public struct Access: Sendable {
        public let token: Token
        public let user: User?
    }

    /// `audiences`: the resource server's own identifiers; a token issued for another resource
    /// (RFC 8707) is no token here (RFC 9068 §4). A token that named no resource is for any.
    public func authorize(accessToken: String, requiredScope: String, audiences: [String]? = nil) async throws -> Access {
        guard let hash = await presented.hash(of: accessToken), let token = try await store.token(hash: hash), token.kind == .access,
            token.isActive(at: clock.now())
        else { throw TermAuthError.invalidAccessToken }
        if let audiences, let resource = token.resource, !audiences.contains(resource) { throw TermAuthError.invalidAccessToken }
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
