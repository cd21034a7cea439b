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
        try await deliver(request, redirect: redirect, context: context, withIDToken: false)
    }

    /// The access token in the fragment, and with `withIDToken` (`id_token token`) an ID token
    /// whose `at_hash` binds the two (OpenID Connect Core §3.2.2.10).
    func deliver(_ request: AuthorizationRequest, redirect: RedirectBuilder, context: DeliveryContext, withIDToken: Bool) async throws
        -> Delivery
    {
        guard let client = try await store.client(id: request.clientID) else { throw TermAuthError.unknownClient }
        let scopes = request.grantedScopes ?? request.scopes
        let subject = TokenIssuer.Subject.user(
            request.userID, request.authentication, nonce: request.options.nonce, resource: request.options.resource)
        // The tokens go in the redirect, so they are signed before the records are stored.
        let prepared = try await context.issuer.prepare(
            client: client, subject: subject, scopes: scopes, withRefresh: false, withIDToken: false, now: context.now)
        let response = try context.issuer.response(for: prepared)
        var fields = [("access_token", response.accessToken), ("token_type", "Bearer"), ("expires_in", String(response.expiresIn))]
        if withIDToken {
            // Whatever the person granted: the response type promises an ID token.
            guard
                let idToken = try await context.issuer.idToken(
                    client: client, subject: subject, accessToken: response.accessToken, now: context.now)
            else { throw TermAuthError.storage("approved request without a sign-in") }
            fields.append(("id_token", idToken))
        }
        if !scopes.isEmpty { fields.append(("scope", scopes.string)) }
        let issued = AuditEvent(
            at: context.now, kind: .tokenIssued, clientID: client.id,
            detail: "implicit grant\(withIDToken ? " with ID token" : ""), scope \"\(scopes.string)\"")
        guard try await store.deliverRequest(id: request.id, code: nil, tokens: prepared.records, audit: issued) else { return .alreadyDelivered }
        return .redirect(redirect.success(fields))
    }
}
