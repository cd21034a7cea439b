/// RFC 6749 §4.4: a confidential client acting for itself. No user, no refresh token (§4.4.3).
struct ClientCredentialsGrant: GrantHandler {
    static let grantType = GrantType.clientCredentials
    let store: any ScopeStore & TokenStore

    init(store: any Store) { self.store = store }

    func exchange(_ p: OAuthParameters, client: Client, context: GrantContext) async throws -> TokenResponse {
        guard !client.isPublic else { throw TermAuthError.grantNotAllowed(Self.grantType) }
        let scopes = try await ScopePolicy(store: store).resolve(requested: p["scope"], for: client)
        let resource = try ResourceIndicator.resolve(p["resource"], for: client)
        let prepared = try await context.issuer.prepare(
            client: client, subject: TokenIssuer.Subject(resource: resource), scopes: scopes, withRefresh: false, now: context.clock.now())
        try await store.insertTokens(
            prepared.records, audit: context.event(.tokenIssued, client: client, detail: "client credentials, scope \"\(scopes.string)\""))
        return try context.issuer.response(for: prepared)
    }
}
