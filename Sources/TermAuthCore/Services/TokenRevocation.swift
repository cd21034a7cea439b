/// RFC 7009: a client revokes its own tokens. Revoking a refresh token revokes its whole family,
/// so the access tokens issued from it die too. Unknown tokens are not an error (§2.2).
public struct TokenRevocation: Sendable {
    let store: any Store
    let clock: any Clock

    /// `by`: the authenticated client, or nil for the operator (`termauth token revoke`).
    /// Returns how many tokens were revoked.
    @discardableResult
    public func revoke(_ token: String, by client: Client?, origin: String? = nil) async throws -> Int {
        guard let stored = try await store.token(hash: TokenHash(of: token)) else { return 0 }
        if let client, stored.clientID != client.id { throw TermAuthError.tokenOfAnotherClient }
        let count: Int
        switch stored.kind {
        case .refresh: count = try await store.revokeFamily(stored.family)
        case .access: count = try await store.revokeToken(hash: stored.hash) ? 1 : 0
        }
        try await store.appendAudit(AuditEvent(
            at: clock.now(), kind: .tokenRevoked, clientID: stored.clientID,
            detail: "\(stored.kind.rawValue) token revoked by \(client.map { "client \($0.id)" } ?? "the operator"); \(count) tokens revoked",
            origin: origin))
        return count
    }
}
