import Foundation
import PostgresNIO

extension PostgresStore {
    public func purgeExpired(before: Int64, auditBefore: Int64, attemptsBefore: Int64, keysRetiredBefore: Int64, limit: Int) async throws
        -> PurgeCounts
    {
        let limit = Int64(limit)
        return try await transaction { c in
            var counts = PurgeCounts()
            counts.codes = try await c.rows(
                """
                DELETE FROM codes WHERE hash IN (SELECT hash FROM codes WHERE expires_at < \(before) LIMIT \(limit)) RETURNING 1
                """
            ).count
            counts.tokens = try await c.rows(
                """
                DELETE FROM tokens WHERE hash IN (SELECT hash FROM tokens WHERE expires_at < \(before) LIMIT \(limit)) RETURNING 1
                """
            ).count
            counts.requests = try await c.rows(
                """
                DELETE FROM requests WHERE id IN (SELECT id FROM requests WHERE expires_at < \(before) LIMIT \(limit)) RETURNING 1
                """
            ).count
            counts.audit = try await c.rows(
                """
                DELETE FROM audit WHERE id IN (SELECT id FROM audit WHERE at < \(auditBefore) ORDER BY at LIMIT \(limit)) RETURNING 1
                """
            ).count
            counts.attempts = try await c.rows(
                """
                DELETE FROM attempts WHERE key IN (
                    SELECT key FROM attempts WHERE window_start < \(attemptsBefore) AND coalesce(locked_until, 0) < \(attemptsBefore) LIMIT \(limit))
                RETURNING 1
                """
            ).count
            counts.keys = try await c.rows(
                "DELETE FROM signing_keys WHERE publish_until < \(before) AND retired_at < \(keysRetiredBefore) RETURNING 1"
            ).count
            return counts
        }
    }
}
