/// RFC 6749 §4.3, off unless the client was registered with it (RFC 9700 §2.4 advises
/// against it). The password goes through the same sign-in and lockout as every other path.
struct PasswordGrant: GrantHandler {
    static let grantType = GrantType.password
    let store: any ScopeStore & TokenStore & SignIn.Storage

    init(store: any Store) { self.store = store }

    func exchange(_ p: OAuthParameters, client: Client, context: GrantContext) async throws -> TokenResponse {
        // A public client's id is no credential: anyone could try passwords through it. Refused
        // even for a client registered with the grant before registration refused that.
        guard !client.isPublic else { throw TermAuthError.grantNotAllowed(Self.grantType) }
        let username = try p.required("username")
        let password = try p.required("password")
        let scopes = try await ScopePolicy(store: store).resolve(requested: p["scope"], for: client)
        let signIn = SignIn(store: store, settings: context.settings, clock: context.clock)
        let user = try await signIn.signIn(username: username, password: password, clientID: client.id, origin: context.origin)
        let resource = try ResourceIndicator.resolve(p["resource"], for: client)
        let prepared = try await context.issuer.prepare(
            client: client, subject: .user(user.user.id, user.authentication, resource: resource), scopes: scopes,
            withRefresh: OpenIDScope.allowsRefresh(scopes, client: client), now: context.clock.now())
        try await store.insertTokens(
            prepared.records,
            audit: context.event(.tokenIssued, client: client, username: username, detail: "password grant, scope \"\(scopes.string)\""))
        return try context.issuer.response(for: prepared)
    }
}
