/// One grant type of the token endpoint. A new grant is one file conforming to this, plus one
/// line in `GrantRegistry.tokenGrants`.
public protocol GrantHandler: Sendable {
    /// The `grant_type` this handler answers.
    static var grantType: GrantType { get }
    /// Keeps of the store only the parts the grant uses.
    init(store: any Store)
    func exchange(_ parameters: OAuthParameters, client: Client, context: GrantContext) async throws -> TokenResponse
}

/// What every grant handler may use besides its storage.
public struct GrantContext: Sendable {
    public let settings: Settings
    public let clock: any WallClock
    /// Where the request came from, for the audit log.
    public var origin: String?

    let issuer: TokenIssuer

    func event(_ kind: AuditEvent.Kind, client: Client, username: String? = nil, detail: String) -> AuditEvent {
        AuditEvent(at: clock.now(), kind: kind, clientID: client.id, username: username, detail: detail, origin: origin)
    }
}
