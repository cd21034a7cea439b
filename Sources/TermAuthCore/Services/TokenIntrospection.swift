/// RFC 7662: what a resource server may learn about a token. Anything unknown, expired or
/// revoked is simply inactive, with no reason given.
public struct TokenIntrospection: Sendable {
    let store: any TokenStore & UserStore
    let clock: any WallClock
    let presented: PresentedToken

    public struct Result: Sendable, Equatable {
        public let active: Bool
        public let scope: String?
        public let clientID: String?
        public let username: String?
        public let subject: String?
        public let tokenType: String?
        public let expiresAt: Int64?
        public let issuedAt: Int64?

        static let inactive = Result(
            active: false, scope: nil, clientID: nil, username: nil, subject: nil, tokenType: nil, expiresAt: nil, issuedAt: nil)
    }

    /// For a client calling `/introspect`: only clients registered for it may learn about tokens.
    public func introspect(_ token: String, by client: Client) async throws -> Result {
        guard !client.isPublic, client.mayIntrospect else { throw TermAuthError.introspectionNotAllowed }
        return try await introspect(token)
    }

    /// For the operator (`termauth token introspect`) and the built-in resource server.
    public func introspect(_ token: String) async throws -> Result {
        guard let hash = await presented.hash(of: token), let stored = try await store.token(hash: hash), stored.isActive(at: clock.now()) else {
            return .inactive
        }
        if stored.kind == .refresh && stored.used { return .inactive }
        var username: String?
        if let userID = stored.userID {
            guard let user = try await store.user(id: userID) else { return .inactive }
            username = user.username
        }
        return Result(
            active: true, scope: stored.scopes.string, clientID: stored.clientID, username: username,
            subject: stored.userID ?? stored.clientID, tokenType: stored.kind == .access ? "Bearer" : "refresh_token",
            expiresAt: stored.expiresAt, issuedAt: stored.issuedAt)
    }
}
