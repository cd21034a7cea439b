/// OpenID Connect Core §3.2.2.5 `response_type=id_token`: the ID token alone, in the fragment.
/// Implicit, so only for clients registered with the implicit grant (RFC 9700 §2.1.2).
struct IDTokenResponse: ResponseTypeHandler {
    static let responseType = ResponseType.idToken
    static let grant = GrantType.implicit
    static let inFragment = true
    static let bindsPKCE = false
    static let issuesIDToken = true
    let store: any RequestStore & ClientStore & UserStore

    init(store: any Store) { self.store = store }

    func deliver(_ request: AuthorizationRequest, redirect: RedirectBuilder, context: DeliveryContext) async throws -> Delivery {
        guard let client = try await store.client(id: request.clientID) else { throw TermAuthError.unknownClient }
        let subject = TokenIssuer.Subject.user(request.userID, request.authentication, nonce: request.options.nonce)
        var released: UserInfoClaims?
        if let userID = request.userID, let user = try await store.user(id: userID) {
            released = UserInfoClaims(user: user, scopes: request.grantedScopes ?? request.scopes)
        }
        guard let idToken = try await context.issuer.idToken(client: client, subject: subject, accessToken: nil, released: released, now: context.now)
        else {
            throw TermAuthError.storage("approved request without a sign-in")
        }
        let issued = AuditEvent(at: context.now, kind: .tokenIssued, clientID: client.id, detail: "implicit ID token")
        guard try await store.deliverRequest(id: request.id, code: nil, tokens: [], audit: issued) else { return .alreadyDelivered }
        return .redirect(redirect.success([("id_token", idToken)]))
    }
}
