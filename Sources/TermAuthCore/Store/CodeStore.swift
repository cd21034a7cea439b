public enum CodeRedemption: Sendable, Equatable {
    case redeemed
    /// The code had been redeemed before; every token issued from it is now revoked.
    case reused(revokedTokens: Int)
    case unknown
}

/// What the caller of `redeemCode` makes of the stored code: the tokens it buys (none for an
/// expired code, which is still redeemed so a late replay counts as reuse) and a value handed
/// back with the outcome.
public struct CodeIssue<Value: Sendable>: Sendable {
    public var tokens: [Token]
    public var value: Value

    public init(tokens: [Token], value: Value) {
        self.tokens = tokens
        self.value = value
    }
}

public protocol CodeStore: Sendable {
    /// Redeems a code in one transaction. `issue` sees the stored code first: it throws to
    /// refuse it (then nothing changes and its error reaches the caller), or names the tokens
    /// the code buys. Then the code is marked redeemed and those tokens stored; at most one
    /// caller ever gets `.redeemed`. A code redeemed before stores nothing and has its tokens
    /// revoked (`.reused`). `audit` names the row the outcome is recorded with, in the same
    /// transaction. The value is nil only for `.unknown`.
    ///
    /// One transaction, not a read and then a write: the lookup runs on the writer's warm
    /// connection instead of a reader whose page cache every commit empties.
    func redeemCode<Value: Sendable>(
        hash: TokenHash, now: Int64, issue: @escaping @Sendable (AuthorizationCode) throws -> CodeIssue<Value>,
        audit: @escaping @Sendable (CodeRedemption, Value?) -> AuditEvent?
    ) async throws -> (CodeRedemption, Value?)
}

/// A redemption as it leaves the transaction: a refusal is carried out as a value, because a
/// write that throws would roll back its whole transaction (and, in SQLite, its batch).
struct CodeRedemptionResult<Value: Sendable>: Sendable {
    var outcome: CodeRedemption
    var value: Value? = nil
    var refusal: (any Error)? = nil

    static func refused(_ error: any Error) -> Self { Self(outcome: .unknown, value: nil, refusal: error) }

    func audited(_ audit: (CodeRedemption, Value?) -> AuditEvent?) -> AuditEvent? { refusal == nil ? audit(outcome, value) : nil }

    func get() throws -> (CodeRedemption, Value?) {
        if let refusal { throw refusal }
        return (outcome, value)
    }
}
