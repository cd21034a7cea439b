import Foundation
import GRDB

extension SQLiteStore {
    static func insert(_ tokens: [Token], _ db: Database) throws {
        let statement = try db.cachedStatement(
            sql: """
                INSERT INTO tokens(hash, kind, client_id, user_id, scope, issued_at, expires_at, family, code_hash, revoked, used,
                    auth_time, amr, resource)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        for t in tokens {
            try statement.execute(arguments: [
                t.hash.bytes, t.kind.rawValue, t.clientID, t.userID, t.scopes.string, t.issuedAt, t.expiresAt,
                t.family, t.codeHash?.bytes, t.revoked, t.used, t.authentication?.time, t.authentication?.methodsString, t.resource,
            ])
        }
    }

    public func insertTokens(_ tokens: [Token], audit: AuditEvent?) async throws {
        try await run { db in
            try Self.insert(tokens, db)
            if let audit { try Self.insert(audit, db) }
        }
    }

    public func token(hash: TokenHash) async throws -> Token? {
        try await read { db in
            try Self.first(db, "SELECT \(Token.sqliteColumns) FROM tokens WHERE hash = ?", [hash.bytes], Token.init(row:))
        }
    }

    public func rotateRefreshToken(
        hash: TokenHash, now: Int64, issuing tokens: [Token], audit: @escaping @Sendable (RefreshRotation) -> AuditEvent?
    ) async throws -> RefreshRotation {
        try await run(audited: audit) { db in try Self.rotate(hash, now: now, issuing: tokens, db) }
    }

    private static func rotate(_ hash: TokenHash, now: Int64, issuing tokens: [Token], _ db: Database) throws -> RefreshRotation {
        try db.cachedStatement(
            sql: """
                UPDATE tokens SET used = 1
                WHERE hash = ? AND kind = 'refresh' AND used = 0 AND revoked = 0 AND expires_at > ?
                """
        ).execute(arguments: [hash.bytes, now])
        if db.changesCount > 0 {
            try Self.insert(tokens, db)
            return .rotated
        }
        let row = try Row.fetchOne(db, sql: "SELECT family, used FROM tokens WHERE hash = ? AND kind = 'refresh'", arguments: [hash.bytes])
        guard let row, row["used"] as Bool else { return .invalid }
        try db.execute(sql: "UPDATE tokens SET revoked = 1 WHERE family = ? AND revoked = 0", arguments: [row["family"] as String])
        return .reused(revokedTokens: db.changesCount)
    }

    public func revokeToken(hash: TokenHash, audit: @escaping @Sendable (Int) -> AuditEvent?) async throws -> Bool {
        try await run(audited: audit) { db in
            try db.execute(sql: "UPDATE tokens SET revoked = 1 WHERE hash = ? AND revoked = 0", arguments: [hash.bytes])
            return db.changesCount
        } > 0
    }

    public func revokeFamily(_ family: String, audit: @escaping @Sendable (Int) -> AuditEvent?) async throws -> Int {
        try await run(audited: audit) { db in
            try db.execute(sql: "UPDATE tokens SET revoked = 1 WHERE family = ? AND revoked = 0", arguments: [family])
            return db.changesCount
        }
    }
}
