/// RFC 8628 §3.4–3.5: a device polls with its device code until a person decides. Polling
/// faster than the interval answers `slow_down` and lengthens it; the code is single use.
struct DeviceCodeGrant: GrantHandler {
    let grantType = GrantType.deviceCode

    func exchange(_ p: Parameters, client: Client, context: GrantContext) async throws -> TokenResponse {
        let store = context.store
        guard let request = try await store.request(handle: TokenHash(of: try p.required("device_code"))),
              request.responseType == .deviceCode, request.clientID == client.id
        else { throw TermAuthError.invalidDeviceCode }
        let now = context.clock.now()
        switch request.status {
        case .delivered:
            throw TermAuthError.invalidDeviceCode
        case .pending:
            guard request.expiresAt > now else { throw TermAuthError.deviceCodeExpired }
            if case .slowDown(let interval) = try await store.recordDevicePoll(id: request.id, now: now) {
                throw TermAuthError.slowDown(interval: interval)
            }
            throw TermAuthError.authorizationPending
        case .denied:
            _ = try await store.deliverRequest(id: request.id, code: nil, tokens: [])
            throw TermAuthError.accessDenied
        case .approved:
            guard request.expiresAt > now else { throw TermAuthError.deviceCodeExpired }
            let scopes = request.grantedScopes ?? request.scopes
            let minted = context.issuer.mint(
                client: client, userID: request.userID, scopes: scopes, withRefresh: client.allows(.refreshToken), now: now)
            guard try await store.deliverRequest(id: request.id, code: nil, tokens: minted.records) else {
                throw TermAuthError.invalidDeviceCode
            }
            try await context.audit(.tokenIssued, client: client, detail: "device grant, scope \"\(scopes.string)\"")
            return minted.response
        }
    }
}
