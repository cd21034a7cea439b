/// OpenID Connect Core §5.3: the claims about the signed-in person that the access token's
/// scopes release (§5.4). `openid` is required; an ID token is no access token and is refused
/// (`PresentedToken`).
public struct UserInfo: Sendable {
    let resources: ResourceGuard
    let issuer: IssuerURL

    public func claims(accessToken: String) async throws -> UserInfoClaims {
        // A token bound to another resource (RFC 8707) may not be replayed here for the person's details.
        let access = try await resources.authorize(
            accessToken: accessToken, requiredScope: OpenIDScope.openid, audiences: [issuer.value, issuer.value + "/userinfo"])
        // A client's own token (client credentials) speaks for no person.
        guard let user = access.user else { throw TermAuthError.invalidAccessToken }
        return UserInfoClaims(user: user, scopes: access.token.scopes)
    }
}

/// What `/userinfo` answers: `sub` always, the rest by scope; absent claims are omitted.
public struct UserInfoClaims: Encodable, Sendable, Equatable {
    public var sub: String
    public var name: String?
    public var preferredUsername: String?
    public var updatedAt: Int64?
    public var email: String?
    public var emailVerified: Bool?

    enum CodingKeys: String, CodingKey {
        case sub, name, email
        case preferredUsername = "preferred_username"
        case updatedAt = "updated_at"
        case emailVerified = "email_verified"
    }

    init(user: User, scopes: ScopeSet) {
        sub = user.id
        if scopes.contains(OpenIDScope.profile) {
            name = user.displayName.isEmpty ? nil : user.displayName
            preferredUsername = user.username
            updatedAt = user.updatedAt
        }
        if scopes.contains(OpenIDScope.email), let email = user.email {
            self.email = email
            emailVerified = user.emailVerified
        }
    }

    /// The claims OpenID Discovery's `claims_supported` lists.
    public static let supported = ["sub", "name", "preferred_username", "updated_at", "email", "email_verified"]
}
