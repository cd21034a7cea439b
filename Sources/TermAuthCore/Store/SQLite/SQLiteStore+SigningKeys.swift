import Foundation
import GRDB

extension SQLiteStore {
    public func signingKeys() async throws -> [SigningKey] {
        try await read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM signing_keys ORDER BY created_at, kid")).map(SigningKey.init(row:))
        }
    }

    public func insertSigningKey(_ key: SigningKey, retireOthersUntil publishUntil: Int64?, audit: AuditEvent?) async throws -> Bool {
        try await run("signing key \(key.kid)", audited: { $0 ? audit : nil }) { db in
            if let publishUntil {
                try db.execute(
                    sql: "UPDATE signing_keys SET retired_at = ?, publish_until = ? WHERE alg = ? AND retired_at IS NULL",
                    arguments: [key.createdAt, publishUntil, key.algorithm.rawValue])
            } else if try Bool.fetchOne(
                db, sql: "SELECT 1 FROM signing_keys WHERE alg = ? AND retired_at IS NULL", arguments: [key.algorithm.rawValue]) != nil
            {
                return false
            }
            try db.execute(
                sql: "INSERT INTO signing_keys(kid, alg, public_jwk, private_key, created_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [key.kid, key.algorithm.rawValue, key.publicKey.json, key.wrappedPrivateKey, key.createdAt])
            return true
        }
    }

    public func removeSigningKey(kid: String, audit: AuditEvent?) async throws -> Bool {
        try await run(audited: { $0 ? audit : nil }) { db in
            try db.execute(sql: "DELETE FROM signing_keys WHERE kid = ?", arguments: [kid])
            return db.changesCount > 0
        }
    }
}
