/// The token endpoint's logic (RFC 6749 §3.2), independent of HTTP: authenticate the client,
/// pick the grant, check the client may use it, run it.
public struct TokenEndpoint: Sendable {
    let context: GrantContext
    let authenticator: ClientAuthenticator

    static let handlers: [String: any GrantHandler] = {
        let all: [any GrantHandler] = [
            AuthorizationCodeGrant(),
            RefreshTokenGrant(),
            ClientCredentialsGrant(),
            PasswordGrant(),
            DeviceCodeGrant(),
        ]
        return Dictionary(uniqueKeysWithValues: all.map { ($0.grantType.rawValue, $0) })
    }()

    /// Grant types this server implements, for metadata.
    public static var supportedGrantTypes: [String] { handlers.keys.sorted() }

    public func exchange(_ parameters: Parameters, credentials: ClientCredentials, origin: String? = nil) async throws -> TokenResponse {
        let client = try await authenticator.authenticate(credentials)
        let grantName = try parameters.required("grant_type")
        guard let handler = Self.handlers[grantName] else { throw TermAuthError.unsupportedGrantType(grantName) }
        guard client.allows(handler.grantType) else { throw TermAuthError.grantNotAllowed(handler.grantType) }
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
