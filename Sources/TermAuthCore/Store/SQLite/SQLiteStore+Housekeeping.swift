import Foundation
import GRDB

extension SQLiteStore {
    public func purgeExpired(before: Int64, auditBefore: Int64, attemptsBefore: Int64, keysRetiredBefore: Int64, limit: Int) async throws
        -> PurgeCounts
    {
        try await run { db in
            var counts = PurgeCounts()
            try db.execute(
                sql: "DELETE FROM codes WHERE rowid IN (SELECT rowid FROM codes WHERE expires_at < ? LIMIT ?)", arguments: [before, limit])
            counts.codes = db.changesCount
            try db.execute(
                sql: "DELETE FROM tokens WHERE rowid IN (SELECT rowid FROM tokens WHERE expires_at < ? LIMIT ?)", arguments: [before, limit])
            counts.tokens = db.changesCount
            try db.execute(
                sql: "DELETE FROM requests WHERE id IN (SELECT id FROM requests WHERE expires_at < ? LIMIT ?)", arguments: [before, limit])
            counts.requests = db.changesCount
            try db.execute(
                sql: "DELETE FROM audit WHERE id IN (SELECT id FROM audit WHERE at < ? ORDER BY at LIMIT ?)", arguments: [auditBefore, limit])
            counts.audit = db.changesCount
            try db.execute(
                sql: """
                    DELETE FROM attempts WHERE key IN (
                        SELECT key FROM attempts WHERE window_start < ? AND coalesce(locked_until, 0) < ? LIMIT ?)
                    """,
                arguments: [attemptsBefore, attemptsBefore, limit])
            counts.attempts = db.changesCount
            try db.execute(
                sql: "DELETE FROM signing_keys WHERE publish_until < ? AND retired_at < ?", arguments: [before, keysRetiredBefore])
            counts.keys = db.changesCount
            return counts
        }
    }
}
