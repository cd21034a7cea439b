/// RFC 6749 §4.4: a confidential client acting for itself. No user, no refresh token (§4.4.3).
struct ClientCredentialsGrant: GrantHandler {
    let grantType = GrantType.clientCredentials

    func exchange(_ p: Parameters, client: Client, context: GrantContext) async throws -> TokenResponse {
        guard !client.isPublic else { throw TermAuthError.grantNotAllowed(.clientCredentials) }
        let scopes = try await context.scopes.resolve(requested: p["scope"], for: client)
        let minted = context.issuer.mint(client: client, userID: nil, scopes: scopes, withRefresh: false, now: context.clock.now())
        try await context.store.insertTokens(
            minted.records, audit: context.event(.tokenIssued, client: client, detail: "client credentials, scope \"\(scopes.string)\""))
        return minted.response
    }
}
