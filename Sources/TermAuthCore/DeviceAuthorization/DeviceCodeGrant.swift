/// RFC 8628 §3.4–3.5: a device polls with its device code until a person decides. Polling
/// faster than the interval answers `slow_down` and lengthens it (`DevicePolling`); the code is
/// single use.
struct DeviceCodeGrant: GrantHandler {
    static let grantType = GrantType.deviceCode
    let store: any RequestStore

    init(store: any Store) { self.store = store }

    func exchange(_ p: OAuthParameters, client: Client, context: GrantContext) async throws -> TokenResponse {
        guard let request = try await store.request(handle: TokenHash(of: try p.required("device_code"))),
            request.responseType == .deviceCode, request.clientID == client.id
        else { throw TermAuthError.invalidDeviceCode }
        let now = context.clock.now()
        switch request.status {
        case .delivered:
            throw TermAuthError.invalidDeviceCode
        case .pending:
            guard request.expiresAt > now else { throw TermAuthError.deviceCodeExpired }
            if case .slowDown(let interval) = try await store.updateDevicePoll(id: request.id, { DevicePolling.poll($0, now: now) }) {
                throw TermAuthError.slowDown(interval: interval)
            }
            throw TermAuthError.authorizationPending
        case .denied:
            _ = try await store.deliverRequest(id: request.id, code: nil, tokens: [], audit: nil)
            throw TermAuthError.accessDenied
        case .approved:
            guard request.expiresAt > now else { throw TermAuthError.deviceCodeExpired }
            let scopes = request.grantedScopes ?? request.scopes
            let prepared = try await context.issuer.prepare(
                client: client, subject: .user(request.userID, request.authentication, resource: request.options.resource), scopes: scopes,
                withRefresh: OpenIDScope.allowsRefresh(scopes, client: client), now: now)
            let issued = context.event(.tokenIssued, client: client, detail: "device grant, scope \"\(scopes.string)\"")
            guard try await store.deliverRequest(id: request.id, code: nil, tokens: prepared.records, audit: issued) else {
                throw TermAuthError.invalidDeviceCode
            }
            return try context.issuer.response(for: prepared)
        }
    }
}
