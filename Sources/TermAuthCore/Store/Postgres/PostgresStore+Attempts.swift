import Foundation
import PostgresNIO

extension PostgresStore {
    public func attemptCounter(key: String) async throws -> AttemptCounter? {
        try await one("SELECT count, window_start, locked_until FROM attempts WHERE key = \(key)", AttemptCounter.init(pg:))
    }

    public func updateAttemptCounter<T: Sendable>(
        key: String, audit: @escaping @Sendable (T) -> AuditEvent?, _ change: @escaping @Sendable (AttemptCounter?) -> (AttemptCounter?, T)
    ) async throws -> T {
        try await transaction(audited: audit) { c in
            // The row lock makes concurrent attempts on every replica count one by one; a key
            // seen for the first time is serialised by an advisory lock on its name instead.
            try await c.rows("SELECT pg_advisory_xact_lock(hashtext(\(key)))")
            let current = try await c.rows("SELECT count, window_start, locked_until FROM attempts WHERE key = \(key) FOR UPDATE")
                .first.map(AttemptCounter.init(pg:))
            let (next, result) = change(current)
            if next != current {
                if let next {
                    try await c.rows(
                        """
                        INSERT INTO attempts(key, count, window_start, locked_until)
                        VALUES (\(key), \(Int64(next.count)), \(next.windowStart), \(next.lockedUntil))
                        ON CONFLICT (key) DO UPDATE SET count = EXCLUDED.count, window_start = EXCLUDED.window_start,
                            locked_until = EXCLUDED.locked_until
                        """)
                } else {
                    try await c.rows("DELETE FROM attempts WHERE key = \(key)")
                }
            }
            return result
        }
    }
}
