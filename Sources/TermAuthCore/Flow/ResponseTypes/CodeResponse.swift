/// RFC 6749 §4.1.2: `response_type=code`. The code is minted at delivery, by whoever delivers,
/// so it never rests in plain text; it is bound to the request's redirect URI and PKCE challenge.
struct CodeResponse: ResponseTypeHandler {
    static let responseType = ResponseType.code
    static let grant = GrantType.authorizationCode
    static let inFragment = false
    static let bindsPKCE = true
    let store: any RequestStore

    init(store: any Store) { self.store = store }

    func deliver(_ request: AuthorizationRequest, redirect: RedirectBuilder, context: DeliveryContext) async throws -> Delivery {
        guard let userID = request.userID else { throw TermAuthError.storage("approved request without a user") }
        let code = RandomToken.sequentialSecret()
        var stored = AuthorizationCode(
            hash: TokenHash(of: code), clientID: request.clientID, userID: userID,
            redirectURI: request.redirectURISent ? request.redirectURI : "",
            scopes: request.grantedScopes ?? request.scopes, codeChallenge: request.codeChallenge,
            codeChallengeMethod: request.codeChallengeMethod, issuedAt: context.now,
            expiresAt: context.now + context.settings.lifetimes.authorizationCode)
        stored.nonce = request.options.nonce
        stored.authentication = request.authentication
        stored.resource = request.options.resource
        let issued = AuditEvent(at: context.now, kind: .codeIssued, clientID: request.clientID, detail: "request \(request.id)")
        guard try await store.deliverRequest(id: request.id, code: stored, tokens: [], audit: issued) else { return .alreadyDelivered }
        return .redirect(redirect.success(["code": code]))
    }
}
