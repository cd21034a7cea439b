/// One response type of the authorization endpoint (RFC 6749 §3.1.1): what an approved request
/// answers at its redirect. A new response type is one file conforming to this plus one line
/// in `GrantRegistry.responseTypes`; `AuthorizationFlow` dispatches to it.
protocol ResponseTypeHandler: Sendable {
    static var responseType: ResponseType { get }
    /// The grant a client must be registered with to ask for this response type.
    static var grant: GrantType { get }
    /// §4.2.2: the answer, errors included, travels in the fragment instead of the query.
    static var inFragment: Bool { get }
    /// Only a code can be bound to a PKCE challenge; elsewhere a challenge is ignored.
    static var bindsPKCE: Bool { get }
    /// OpenID Connect Core §3.2.2.1: the answer carries an ID token, so the request must ask
    /// for `openid` and send a nonce.
    static var issuesIDToken: Bool { get }
    /// Keeps of the store only the parts the response type uses.
    init(store: any Store)
    /// Mints what the answer carries and stores it with the delivery, in one transaction.
    func deliver(_ request: AuthorizationRequest, redirect: RedirectBuilder, context: DeliveryContext) async throws -> Delivery
}

extension ResponseTypeHandler {
    static var issuesIDToken: Bool { false }
}

/// What a response type may use besides its storage.
struct DeliveryContext: Sendable {
    let settings: Settings
    let now: Int64
    let issuer: TokenIssuer
}
