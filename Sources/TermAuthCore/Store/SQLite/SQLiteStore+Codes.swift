import Foundation
import GRDB

extension SQLiteStore {
    static func insert(_ c: AuthorizationCode, _ db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO codes(hash, client_id, user_id, redirect_uri, scope, code_challenge, code_challenge_method, issued_at, expires_at,
                    nonce, auth_time, amr, resource)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                c.hash.bytes, c.clientID, c.userID, c.redirectURI, c.scopes.string, c.codeChallenge,
                c.codeChallengeMethod?.rawValue, c.issuedAt, c.expiresAt, c.nonce, c.authentication?.time, c.authentication?.methodsString,
                c.resource,
            ])
    }

    public func redeemCode<Value: Sendable>(
        hash: TokenHash, now: Int64, issue: @escaping @Sendable (AuthorizationCode) throws -> CodeIssue<Value>,
        audit: @escaping @Sendable (CodeRedemption, Value?) -> AuditEvent?
    ) async throws -> (CodeRedemption, Value?) {
        try await run(audited: { $0.audited(audit) }) { db in try Self.redeem(hash, now: now, issue: issue, db) }.get()
    }

    private static func redeem<Value>(
        _ hash: TokenHash, now: Int64, issue: (AuthorizationCode) throws -> CodeIssue<Value>, _ db: Database
    ) throws -> CodeRedemptionResult<Value> {
        let sql = "SELECT \(AuthorizationCode.sqliteColumns) FROM codes WHERE hash = ?"
        guard let code = try Self.first(db, sql, [hash.bytes], AuthorizationCode.init(row:)) else { return .init(outcome: .unknown) }
        let issued: CodeIssue<Value>
        do { issued = try issue(code) } catch { return .refused(error) }
        try db.cachedStatement(sql: "UPDATE codes SET redeemed_at = ? WHERE hash = ? AND redeemed_at IS NULL")
            .execute(arguments: [now, hash.bytes])
        if db.changesCount > 0 {
            try Self.insert(issued.tokens, db)
            return .init(outcome: .redeemed, value: issued.value)
        }
        try db.execute(sql: "UPDATE tokens SET revoked = 1 WHERE code_hash = ? AND revoked = 0", arguments: [hash.bytes])
        return .init(outcome: .reused(revokedTokens: db.changesCount), value: issued.value)
    }
}
