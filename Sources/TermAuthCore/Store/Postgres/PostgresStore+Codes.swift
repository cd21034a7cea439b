import Foundation
import PostgresNIO

extension PostgresStore {
    static func insert(_ code: AuthorizationCode, _ c: PostgresConnection) async throws {
        try await c.rows(
            """
            INSERT INTO codes(hash, client_id, user_id, redirect_uri, scope, code_challenge, code_challenge_method, issued_at, expires_at,
                nonce, auth_time, amr, resource)
            VALUES (\(code.hash.bytes), \(code.clientID), \(code.userID), \(code.redirectURI), \(code.scopes.string), \(code.codeChallenge),
                \(code.codeChallengeMethod?.rawValue), \(code.issuedAt), \(code.expiresAt), \(code.nonce), \(code.authentication?.time),
                \(code.authentication?.methodsString), \(code.resource))
            """)
    }

    public func redeemCode<Value: Sendable>(
        hash: TokenHash, now: Int64, issue: @escaping @Sendable (AuthorizationCode) throws -> CodeIssue<Value>,
        audit: @escaping @Sendable (CodeRedemption, Value?) -> AuditEvent?
    ) async throws -> (CodeRedemption, Value?) {
        try await transaction(audited: { $0.audited(audit) }) { c in try await Self.redeem(hash, now: now, issue: issue, c) }.get()
    }

    private static func redeem<Value>(
        _ hash: TokenHash, now: Int64, issue: (AuthorizationCode) throws -> CodeIssue<Value>, _ c: PostgresConnection
    ) async throws -> CodeRedemptionResult<Value> {
        try await Self.serialise(on: hash, c)
        // FOR UPDATE: housekeeping must not delete the row between this read and the redemption.
        guard let row = try await c.rows("SELECT * FROM codes WHERE hash = \(hash.bytes) FOR UPDATE").first else { return .init(outcome: .unknown) }
        let code = try AuthorizationCode(pg: row)
        let issued: CodeIssue<Value>
        do { issued = try issue(code) } catch { return .refused(error) }
        let won = try await c.rows("UPDATE codes SET redeemed_at = \(now) WHERE hash = \(hash.bytes) AND redeemed_at IS NULL RETURNING 1")
        if !won.isEmpty {
            try await Self.insert(issued.tokens, c)
            return .init(outcome: .redeemed, value: issued.value)
        }
        let revoked = try await c.rows(
            """
            UPDATE tokens SET revoked = TRUE WHERE hash IN (
                SELECT hash FROM tokens WHERE code_hash = \(hash.bytes) AND NOT revoked ORDER BY hash FOR UPDATE)
            RETURNING 1
            """)
        return .init(outcome: .reused(revokedTokens: revoked.count), value: issued.value)
    }
}
