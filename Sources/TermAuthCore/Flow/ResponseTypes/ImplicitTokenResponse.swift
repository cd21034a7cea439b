/// RFC 6749 §4.2.2: `response_type=token`, the implicit grant, off unless the client was
/// registered with it (RFC 9700 §2.1.2). The access token itself goes in the fragment, and
/// never a refresh token.
struct ImplicitTokenResponse: ResponseTypeHandler {
    static let responseType = ResponseType.token
    static let grant = GrantType.implicit
    static let inFragment = true
    static let bindsPKCE = false
    let store: any RequestStore & ClientStore

    init(store: any Store) { self.store = store }

    func deliver(_ request: AuthorizationRequest, redirect: RedirectBuilder, context: DeliveryContext) async throws -> Delivery {
        guard let client = try await store.client(id: request.clientID) else { throw TermAuthError.unknownClient }
        let scopes = request.grantedScopes ?? request.scopes
        let minted = try await context.issuer.mint(
            client: client, subject: .user(request.userID, request.authentication, nonce: request.options.nonce, resource: request.options.resource),
            scopes: scopes, withRefresh: false, now: context.now)
        let issued = AuditEvent(at: context.now, kind: .tokenIssued, clientID: client.id, detail: "implicit grant, scope \"\(scopes.string)\"")
        guard try await store.deliverRequest(id: request.id, code: nil, tokens: minted.records, audit: issued) else { return .alreadyDelivered }
        var fields = [("access_token", minted.response.accessToken), ("token_type", "Bearer"), ("expires_in", String(minted.response.expiresIn))]
        if !scopes.isEmpty { fields.append(("scope", scopes.string)) }
        return .redirect(redirect.success(fields))
    }
}
