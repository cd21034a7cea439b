/// RFC 6749 §5.1 successful token response.
public struct TokenResponse: Sendable, Equatable {
    public var accessToken: String
    public var tokenType = "Bearer"
    public var expiresIn: Int64
    public var refreshToken: String?
    public var scope: ScopeSet
    /// OpenID Connect Core §3.1.3.3, when `openid` was granted to a person.
    public var idToken: String?

    public init(accessToken: String, expiresIn: Int64, refreshToken: String?, scope: ScopeSet) {
        self.accessToken = accessToken
        self.expiresIn = expiresIn
        self.refreshToken = refreshToken
        self.scope = scope
    }
}
