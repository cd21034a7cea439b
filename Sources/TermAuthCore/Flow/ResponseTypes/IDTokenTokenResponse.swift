/// OpenID Connect Core §3.2.2.5 `response_type=id_token token`: an access token and an ID
/// token whose `at_hash` binds them (§3.2.2.10), in the fragment; implicit, so opt-in.
struct IDTokenTokenResponse: ResponseTypeHandler {
    static let responseType = ResponseType.idTokenToken
    static let grant = GrantType.implicit
    static let inFragment = true
    static let bindsPKCE = false
    static let issuesIDToken = true
    let store: any RequestStore & ClientStore

    init(store: any Store) { self.store = store }

    func deliver(_ request: AuthorizationRequest, redirect: RedirectBuilder, context: DeliveryContext) async throws -> Delivery {
        guard let client = try await store.client(id: request.clientID) else { throw TermAuthError.unknownClient }
        let scopes = request.grantedScopes ?? request.scopes
        let subject = TokenIssuer.Subject.user(
            request.userID, request.authentication, nonce: request.options.nonce, resource: request.options.resource)
        let minted = try await context.issuer.mint(client: client, subject: subject, scopes: scopes, withRefresh: false, now: context.now)
        // Asked for whatever the person granted: the response type promises one.
        var idToken = minted.response.idToken
        if idToken == nil {
            idToken = try await context.issuer.idToken(client: client, subject: subject, accessToken: minted.response.accessToken, now: context.now)
        }
        guard let idToken else { throw TermAuthError.storage("approved request without a sign-in") }
        let issued = AuditEvent(
            at: context.now, kind: .tokenIssued, clientID: client.id, detail: "implicit grant with ID token, scope \"\(scopes.string)\"")
        guard try await store.deliverRequest(id: request.id, code: nil, tokens: minted.records, audit: issued) else { return .alreadyDelivered }
        var fields = [("access_token", minted.response.accessToken), ("token_type", "Bearer"), ("expires_in", String(minted.response.expiresIn))]
        fields.append(("id_token", idToken))
        if !scopes.isEmpty { fields.append(("scope", scopes.string)) }
        return .redirect(redirect.success(fields))
    }
}
