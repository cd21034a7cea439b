public struct Client: Sendable, Equatable {
    public var id: String
    public var name: String
    /// nil for public clients (RFC 6749 §2.1).
    public var secret: SecretHash?
    public var redirectURIs: [String]
    public var grantTypes: [GrantType]
    /// Scopes the client may ask for; empty means any registered scope.
    public var scopes: [String]
    public var requirePKCE: Bool
    public var allowPlainPKCE: Bool
    /// RFC 7662 §2.1 leaves who may introspect to the server: only clients registered for it.
    public var mayIntrospect: Bool
    public var createdAt: Int64
    /// How its ID tokens are signed (RS256 unless registered otherwise).
    public var idTokenAlgorithm: SigningAlgorithm = .rs256
    /// Opaque strings, or RFC 9068 JWTs.
    public var accessTokenFormat: AccessTokenFormat = .opaque
    /// RFC 8707 resources the client may name as its tokens' audience.
    public var resources: [String] = []

    public init(
        id: String, name: String, secret: SecretHash?, redirectURIs: [String],
        grantTypes: [GrantType] = GrantType.defaults, scopes: [String] = [],
        requirePKCE: Bool = true, allowPlainPKCE: Bool = false, mayIntrospect: Bool = false, createdAt: Int64 = Timestamp.now()
    ) {
        self.id = id
        self.name = name
        self.secret = secret
        self.redirectURIs = redirectURIs
        self.grantTypes = grantTypes
        self.scopes = scopes
        self.requirePKCE = requirePKCE
        self.allowPlainPKCE = allowPlainPKCE
        self.mayIntrospect = mayIntrospect
        self.createdAt = createdAt
    }

    public var isPublic: Bool { secret == nil }

    /// Public clients cannot keep a secret, so PKCE is their only proof (RFC 9700 §2.1.1).
    public var mustUsePKCE: Bool { isPublic || requirePKCE }

    public func allows(_ grant: GrantType) -> Bool { grantTypes.contains(grant) }
}
