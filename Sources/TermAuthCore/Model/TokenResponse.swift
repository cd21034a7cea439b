/// RFC 6749 §5.1 successful token response.
public struct TokenResponse: Sendable, Equatable {
    public var accessToken: String
    public var tokenType = "Bearer"
    public var expiresIn: Int64
    public var refreshToken: String?
    public var scope: ScopeSet

    public init(accessToken: String, expiresIn: Int64, refreshToken: String?, scope: ScopeSet) {
        self.accessToken = accessToken
        self.expiresIn = expiresIn
        self.refreshToken = refreshToken
        self.scope = scope
    }
}
