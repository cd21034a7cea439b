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

    public func code(hash: TokenHash) async throws -> AuthorizationCode? {
        try await read { db in
            try Self.first(db, "SELECT \(AuthorizationCode.sqliteColumns) FROM codes WHERE hash = ?", [hash.bytes], AuthorizationCode.init(row:))
        }
    }

    public func redeemCode(
        hash: TokenHash, now: Int64, issuing tokens: [Token], audit: @escaping @Sendable (CodeRedemption) -> AuditEvent?
    ) async throws -> CodeRedemption {
        try await run(audited: audit) { db in try Self.redeem(hash, now: now, issuing: tokens, db) }
    }

    private static func redeem(_ hash: TokenHash, now: Int64, issuing tokens: [Token], _ db: Database) throws -> CodeRedemption {
        try db.cachedStatement(sql: "UPDATE codes SET redeemed_at = ? WHERE hash = ? AND redeemed_at IS NULL")
            .execute(arguments: [now, hash.bytes])
        if db.changesCount > 0 {
            try Self.insert(tokens, db)
            return .redeemed
        }
        guard try Bool.fetchOne(db, sql: "SELECT 1 FROM codes WHERE hash = ?", arguments: [hash.bytes]) != nil else { return .unknown }
        try db.execute(sql: "UPDATE tokens SET revoked = 1 WHERE code_hash = ? AND revoked = 0", arguments: [hash.bytes])
        return .reused(revokedTokens: db.changesCount)
    }
}
