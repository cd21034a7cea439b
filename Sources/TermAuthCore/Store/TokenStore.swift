public enum RefreshRotation: Sendable, Equatable {
    case rotated
    /// The token had already been rotated; its whole family is now revoked.
    case reused(revokedTokens: Int)
    case invalid
}

public protocol TokenStore: Sendable {
    /// Stores tokens, and the audit event that records their issue, in one transaction.
    func insertTokens(_ tokens: [Token], audit: AuditEvent?) async throws
    func token(hash: TokenHash) async throws -> Token?
    /// Marks the refresh token used and stores its successors, atomically; a reused token's
    /// family is revoked. `audit` names the row the outcome is recorded with, in the same transaction.
    func rotateRefreshToken(
        hash: TokenHash, now: Int64, issuing tokens: [Token], audit: @escaping @Sendable (RefreshRotation) -> AuditEvent?
    ) async throws -> RefreshRotation
    /// Revokes every live token of the family and writes `audit(count)` in the same transaction.
    func revokeFamily(_ family: String, audit: @escaping @Sendable (Int) -> AuditEvent?) async throws -> Int
    /// Revokes one live token and writes `audit(count)` in the same transaction.
    func revokeToken(hash: TokenHash, audit: @escaping @Sendable (Int) -> AuditEvent?) async throws -> Bool
}
