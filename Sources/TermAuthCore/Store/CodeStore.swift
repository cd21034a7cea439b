public enum CodeRedemption: Sendable, Equatable {
    case redeemed
    /// The code had been redeemed before; every token issued from it is now revoked.
    case reused(revokedTokens: Int)
    case unknown
}

public protocol CodeStore: Sendable {
    func code(hash: TokenHash) async throws -> AuthorizationCode?
    /// Marks the code redeemed and stores `tokens`, atomically; at most one caller ever gets
    /// `.redeemed`. A reused code's tokens are revoked. `audit` names the row the outcome is
    /// recorded with, in the same transaction.
    func redeemCode(
        hash: TokenHash, now: Int64, issuing tokens: [Token], audit: @escaping @Sendable (CodeRedemption) -> AuditEvent?
    ) async throws -> CodeRedemption
}
