import Foundation
import GRDB

extension SQLiteStore {
    public func attemptCounter(key: String) async throws -> AttemptCounter? {
        try await read { db in
            try Self.first(db, "SELECT count, window_start, locked_until FROM attempts WHERE key = ?", [key]) {
                AttemptCounter(count: $0[0], windowStart: $0[1], lockedUntil: $0[2])
            }
        }
    }

    public func updateAttemptCounter<T: Sendable>(
        key: String, audit: @escaping @Sendable (T) -> AuditEvent?, _ change: @escaping @Sendable (AttemptCounter?) -> (AttemptCounter?, T)
    ) async throws -> T {
        try await run(audited: audit) { db in
            let current = try Self.first(db, "SELECT count, window_start, locked_until FROM attempts WHERE key = ?", [key]) {
                AttemptCounter(count: $0[0], windowStart: $0[1], lockedUntil: $0[2])
            }
            let (next, result) = change(current)
            if next != current {
                if let next {
                    try db.cachedStatement(sql: "INSERT OR REPLACE INTO attempts(key, count, window_start, locked_until) VALUES (?, ?, ?, ?)")
                        .execute(arguments: [key, next.count, next.windowStart, next.lockedUntil])
                } else {
                    try db.cachedStatement(sql: "DELETE FROM attempts WHERE key = ?").execute(arguments: [key])
                }
            }
            return result
        }
    }
}
