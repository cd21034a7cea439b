/// What an operator asks for when registering a client, from the command line or a settings file.
public struct ClientRegistration: Sendable, Equatable {
    public var id: String?
    public var name: String
    public var isPublic: Bool
    public var redirectURIs: [String]
    public var grantTypes: [GrantType]
    public var scopes: [String]
    public var requirePKCE: Bool
    public var allowPlainPKCE: Bool
    public var mayIntrospect: Bool
    public var idTokenAlgorithm = SigningAlgorithm.rs256
    public var accessTokenFormat = AccessTokenFormat.opaque
    /// RFC 8707 resources the client may name (absolute URIs without fragment).
    public var resources: [String] = []

    public init(
        id: String? = nil, name: String, isPublic: Bool = false, redirectURIs: [String], grantTypes: [GrantType] = GrantType.defaults,
        scopes: [String] = [], requirePKCE: Bool = true, allowPlainPKCE: Bool = false,
        mayIntrospect: Bool = false
    ) {
        self.id = id
        self.name = name
        self.isPublic = isPublic
        self.redirectURIs = redirectURIs
        self.grantTypes = grantTypes
        self.scopes = scopes
        self.requirePKCE = requirePKCE
        self.allowPlainPKCE = allowPlainPKCE
        self.mayIntrospect = mayIntrospect
    }
}
