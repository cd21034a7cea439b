import Foundation
import PostgresNIO

extension PostgresStore {
    public func insertUserKey(_ key: UserKey, audit: AuditEvent?) async throws {
        try await transaction("key \(key.fingerprint)", audited: { audit }) { c in
            try await c.rows(
                """
                INSERT INTO user_keys(user_id, fingerprint, type, public_key, comment, created_at)
                VALUES (\(key.userID), \(key.fingerprint), \(key.type), \(key.publicKey), \(key.comment), \(key.createdAt))
                """)
        }
    }

    public func userKeys(userID: String) async throws -> [UserKey] {
        try await all("SELECT * FROM user_keys WHERE user_id = \(userID) ORDER BY created_at, fingerprint", UserKey.init(pg:))
    }

    public func removeUserKey(userID: String, fingerprint: String, audit: AuditEvent?) async throws -> Bool {
        try await transaction(audited: { $0 ? audit : nil }) { c in
            try await !c.rows("DELETE FROM user_keys WHERE user_id = \(userID) AND fingerprint = \(fingerprint) RETURNING 1").isEmpty
        }
    }
}
