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
    /// Where the request came from, for the audit log.
    public var origin: String?

    var issuer: TokenIssuer { TokenIssuer(settings: settings) }
    var scopes: ScopePolicy { ScopePolicy(store: store) }
    var signIn: SignIn { SignIn(store: store, settings: settings, clock: clock) }

    func audit(_ kind: AuditEvent.Kind, client: Client, username: String? = nil, detail: String) async throws {
        try await store.appendAudit(event(kind, client: client, username: username, detail: detail))
    }

    func event(_ kind: AuditEvent.Kind, client: Client, username: String? = nil, detail: String) -> AuditEvent {
        AuditEvent(at: clock.now(), kind: kind, clientID: client.id, username: username, detail: detail, origin: origin)
    }
}
