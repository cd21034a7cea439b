import Foundation
import GRDB

extension SQLiteStore {
    public func insertUserKey(_ key: UserKey, audit: AuditEvent?) async throws {
        try await run("key \(key.fingerprint)", audited: { audit }) { db in
            try db.execute(
                sql: "INSERT INTO user_keys(user_id, fingerprint, type, public_key, comment, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [key.userID, key.fingerprint, key.type, key.publicKey, key.comment, key.createdAt])
        }
    }

    public func userKeys(userID: String) async throws -> [UserKey] {
        try await read { db in
            try Row.fetchAll(
                db.cachedStatement(sql: "SELECT * FROM user_keys WHERE user_id = ? ORDER BY created_at, fingerprint"), arguments: [userID]
            )
            .map(UserKey.init(row:))
        }
    }

    public func removeUserKey(userID: String, fingerprint: String, audit: AuditEvent?) async throws -> Bool {
        try await run(audited: { $0 ? audit : nil }) { db in
            try db.execute(sql: "DELETE FROM user_keys WHERE user_id = ? AND fingerprint = ?", arguments: [userID, fingerprint])
            return db.changesCount > 0
        }
    }
}
