/// RFC 6749 §4.3, off unless the client was registered with it (RFC 9700 §2.4 advises
/// against it). The password goes through the same sign-in and lockout as every other path.
struct PasswordGrant: GrantHandler {
    let grantType = GrantType.password

    func exchange(_ p: Parameters, client: Client, context: GrantContext) async throws -> TokenResponse {
        // A public client's id is no credential: anyone could try passwords through it. Refused
        // even for a client registered with the grant before registration refused that.
        guard !client.isPublic else { throw TermAuthError.grantNotAllowed(.password) }
        let username = try p.required("username")
        let password = try p.required("password")
        let scopes = try await context.scopes.resolve(requested: p["scope"], for: client)
        let user = try await context.signIn.signIn(username: username, password: password, clientID: client.id, origin: context.origin)
        let minted = context.issuer.mint(
            client: client, userID: user.user.id, scopes: scopes, withRefresh: client.allows(.refreshToken), now: context.clock.now())
        try await context.store.insertTokens(
            minted.records, audit: context.event(.tokenIssued, client: client, username: username, detail: "password grant, scope \"\(scopes.string)\""))
        return minted.response
    }
}
