/// OpenID Connect Core §3.2.2.5 `response_type=id_token token`: the implicit grant's access
/// token with an ID token beside it, in the fragment; implicit, so opt-in.
struct IDTokenTokenResponse: ResponseTypeHandler {
    static let responseType = ResponseType.idTokenToken
    static let grant = GrantType.implicit
    static let inFragment = true
    static let bindsPKCE = false
    static let issuesIDToken = true
    let tokens: ImplicitTokenResponse

    init(store: any Store) { tokens = ImplicitTokenResponse(store: store) }

    func deliver(_ request: AuthorizationRequest, redirect: RedirectBuilder, context: DeliveryContext) async throws -> Delivery {
        try await tokens.deliver(request, redirect: redirect, context: context, withIDToken: true)
    }
}
