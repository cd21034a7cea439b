/// RFC 7009: a client revokes its own tokens. Revoking a refresh token revokes its whole family,
/// so the access tokens issued from it die too. Unknown tokens are not an error (§2.2).
public struct TokenRevocation: Sendable {
    let store: any TokenStore & AuditStore
    let clock: any WallClock
    let presented: PresentedToken

    /// `by`: the authenticated client, or nil for the operator (`termauth token revoke`).
    /// Returns how many tokens were revoked.
    @discardableResult
    public func revoke(_ token: String, by client: Client?, origin: String? = nil) async throws -> Int {
        guard let hash = await presented.hash(of: token), let stored = try await store.token(hash: hash) else { return 0 }
        if let client, stored.clientID != client.id { throw TermAuthError.tokenOfAnotherClient }
        let event = AuditEvent(at: clock.now(), kind: .tokenRevoked, clientID: stored.clientID, origin: origin)
        let by = "\(stored.kind.rawValue) token revoked by \(client.map { "client \($0.id)" } ?? "the operator")"
        let audit: @Sendable (Int) -> AuditEvent? = { count in event.with(detail: "\(by); \(count) tokens revoked") }
        switch stored.kind {
        case .refresh: return try await store.revokeFamily(stored.family, audit: audit)
        case .access: return try await store.revokeToken(hash: stored.hash, audit: audit) ? 1 : 0
        }
    }
}
