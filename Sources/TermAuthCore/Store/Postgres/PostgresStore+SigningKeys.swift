import Foundation
import PostgresNIO

extension PostgresStore {
    public func signingKeys() async throws -> [SigningKey] {
        try await all("SELECT * FROM signing_keys ORDER BY created_at, kid", SigningKey.init(pg:))
    }

    public func insertSigningKey(_ key: SigningKey, retireOthersUntil publishUntil: Int64?, audit: AuditEvent?) async throws -> Bool {
        try await transaction("signing key \(key.kid)", audited: { $0 ? audit : nil }) { c in
            // Serialises replicas creating or rotating keys of one algorithm.
            try await c.rows("SELECT pg_advisory_xact_lock(hashtext('termauth signing keys'))")
            if let publishUntil {
                try await c.rows(
                    """
                    UPDATE signing_keys SET retired_at = \(key.createdAt), publish_until = \(publishUntil)
                    WHERE alg = \(key.algorithm.rawValue) AND retired_at IS NULL
                    """)
            } else if try await !c.rows("SELECT 1 FROM signing_keys WHERE alg = \(key.algorithm.rawValue) AND retired_at IS NULL").isEmpty {
                return false
            }
            try await c.rows(
                """
                INSERT INTO signing_keys(kid, alg, public_jwk, private_key, created_at)
                VALUES (\(key.kid), \(key.algorithm.rawValue), \(key.publicKey.json), \(key.wrappedPrivateKey), \(key.createdAt))
                """)
            return true
        }
    }

    public func removeSigningKey(kid: String, audit: AuditEvent?) async throws -> Bool {
        try await transaction(audited: { $0 ? audit : nil }) { c in
            try await !c.rows("DELETE FROM signing_keys WHERE kid = \(kid) RETURNING 1").isEmpty
        }
    }
}
