/// One grant type of the token endpoint. A new grant is one file conforming to this, plus one
/// line in `TokenEndpoint.handlers`.
public protocol GrantHandler: Sendable {
    var grantType: GrantType { get }
    func exchange(_ parameters: Parameters, client: Client, context: GrantContext) async throws -> TokenResponse
}

/// What every grant handler may use.
public struct GrantContext: Sendable {
    public let store: any Store
    public let settings: Settings
    public let clock: any Clock

    var issuer: TokenIssuer { TokenIssuer(settings: settings) }
    var scopes: ScopePolicy { ScopePolicy(store: store) }
}
