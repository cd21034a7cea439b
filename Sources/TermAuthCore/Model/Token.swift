/// A stored access or refresh token. Only the hash of the token string is kept.
public struct Token: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case access, refresh
    }

    public var hash: TokenHash
    public var kind: Kind
    public var clientID: String
    public var userID: String?
    public var scopes: ScopeSet
    public var issuedAt: Int64
    public var expiresAt: Int64
    /// Every token descending from one grant shares a family, so one reuse can revoke them all.
    public var family: String
    /// The code the family was issued from, if any (code reuse revokes the family).
    public var codeHash: TokenHash?
    public var revoked: Bool
    /// Refresh tokens only: set once the token has been rotated.
    public var used: Bool
    /// The sign-in behind the grant: every ID token of the family repeats its `auth_time`.
    public var authentication: Authentication?
    /// RFC 8707: the audience of the family's access tokens, when the client named one.
    public var resource: String?

    public init(
        hash: TokenHash, kind: Kind, clientID: String, userID: String?, scopes: ScopeSet,
        issuedAt: Int64, expiresAt: Int64, family: String, codeHash: TokenHash? = nil,
        revoked: Bool = false, used: Bool = false, authentication: Authentication? = nil, resource: String? = nil
    ) {
        self.authentication = authentication
        self.resource = resource
        self.hash = hash
        self.kind = kind
        self.clientID = clientID
        self.userID = userID
        self.scopes = scopes
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
        self.family = family
        self.codeHash = codeHash
        self.revoked = revoked
        self.used = used
    }

    public func isActive(at now: Int64) -> Bool { !revoked && expiresAt > now }
}
