/// The token endpoint's logic (RFC 6749 §3.2), independent of HTTP: authenticate the client,
/// pick the grant, check the client may use it, run it.
public struct TokenEndpoint: Sendable {
    let context: GrantContext
    let authenticator: ClientAuthenticator
    let handlers: [String: any GrantHandler]

    init(store: any Store, context: GrantContext, authenticator: ClientAuthenticator) {
        self.context = context
        self.authenticator = authenticator
        handlers = Dictionary(uniqueKeysWithValues: GrantRegistry.tokenGrants.map { ($0.grantType.rawValue, $0.init(store: store)) })
    }

    public func exchange(_ parameters: OAuthParameters, credentials: ClientCredentials, origin: String? = nil) async throws -> TokenResponse {
        let client = try await authenticator.authenticate(credentials)
        let grantName = try parameters.required("grant_type")
        guard let handler = handlers[grantName] else { throw TermAuthError.unsupportedGrantType(grantName) }
        let grant = type(of: handler).grantType
        guard client.allows(grant) else { throw TermAuthError.grantNotAllowed(grant) }
        var context = self.context
        context.origin = origin
        return try await handler.exchange(parameters, client: client, context: context)
    }

    /// Authenticates a client for the other endpoints that need one (introspection, revocation,
    /// device authorization), by the same rules as the token endpoint.
    public func authenticate(_ credentials: ClientCredentials) async throws -> Client {
        try await authenticator.authenticate(credentials)
    }
}
