/// What an authorization code stands for. The code itself is never stored, only its hash.
public struct AuthorizationCode: Sendable, Equatable {
    public var hash: TokenHash
    public var clientID: String
    public var userID: String
    /// The redirect URI /authorize named, which the token request must repeat; empty when it was implied.
    public var redirectURI: String
    public var scopes: ScopeSet
    public var codeChallenge: String?
    public var codeChallengeMethod: PKCEMethod?
    public var issuedAt: Int64
    public var expiresAt: Int64
    /// Carried from the request for the ID token (OpenID Connect Core §3.1.3.6).
    public var nonce: String?
    public var authentication: Authentication?
    /// RFC 8707: the resource the access token is for, when the request named one.
    public var resource: String?

    public init(
        hash: TokenHash, clientID: String, userID: String, redirectURI: String, scopes: ScopeSet,
        codeChallenge: String?, codeChallengeMethod: PKCEMethod?, issuedAt: Int64, expiresAt: Int64
    ) {
        self.hash = hash
        self.clientID = clientID
        self.userID = userID
        self.redirectURI = redirectURI
        self.scopes = scopes
        self.codeChallenge = codeChallenge
        self.codeChallengeMethod = codeChallengeMethod
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
    }
}
