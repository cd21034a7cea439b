/// RFC 8628 §3.1–3.2 on the authorization side: a device's request is parked like a browser's, with
/// the device code as the handle it polls with and the user code as the approval code a person types.
extension AuthorizationFlow {
    /// Parks a device's request for a client registered with the device grant.
    public func parkDevice(client: Client, scope: String?, origin: String) async throws -> ParkedRequest {
        guard client.allows(.deviceCode) else { throw TermAuthError.grantNotAllowed(.deviceCode) }
        let scopes = try await ScopePolicy(store: store).resolve(requested: scope, for: client)
        let validated = ValidatedAuthorization(
            client: client, redirectURI: "", responseType: .deviceCode, scopes: scopes, state: nil,
            codeChallenge: nil, codeChallengeMethod: nil)
        return try await park(validated, origin: origin)
    }
}
