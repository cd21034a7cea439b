import Foundation
import PostgresNIO

extension PostgresStore {
    /// The schema version in the database and the newest this build knows.
    public func schemaVersion() async throws -> (current: Int, latest: Int) {
        let current = try await run { c in
            let exists = try await c.rows("SELECT to_regclass('termauth_schema') IS NOT NULL AS present")
            guard try exists.first?.value("present", as: Bool.self) == true else { return 0 }
            return try await Self.currentVersion(c)
        }
        return (current, PostgresSchema.latestVersion)
    }

    /// Applies the migrations the database lacks, under an advisory lock so replicas starting
    /// together take turns. Returns the versions applied now.
    @discardableResult
    public func migrate() async throws -> [Int] {
        let schema = location.schema
        let redacted = location.redacted
        // One lock per schema: installations sharing a database do not wait for each other.
        let lockName = "termauth:" + (schema ?? "default")
        return try await transaction(deadline: .seconds(60)) { c in
            try await c.rows("SELECT pg_advisory_xact_lock(hashtext(\(lockName)))")
            if let schema { try await c.rows("CREATE SCHEMA IF NOT EXISTS \(unescaped: schema)") }
            try await c.rows(
                """
                CREATE TABLE IF NOT EXISTS termauth_schema(
                    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)
                """)
            let current = try await Self.currentVersion(c)
            guard current <= PostgresSchema.latestVersion else {
                throw TermAuthError.configuration(
                    "\(redacted): the database schema is at version \(current), newer than this termauth knows (\(PostgresSchema.latestVersion)); run a newer termauth"
                )
            }
            var applied: [Int] = []
            for migration in PostgresSchema.migrations where migration.version > current {
                for statement in migration.sql { try await c.rows(PostgresQuery(unsafeSQL: statement)) }
                try await c.rows(
                    """
                    INSERT INTO termauth_schema(version, name, applied_at)
                    VALUES (\(Int32(migration.version)), \(migration.name), \(Timestamp.now()))
                    """)
                applied.append(migration.version)
            }
            return applied
        }
    }

    static func currentVersion(_ c: PostgresConnection) async throws -> Int {
        Int(try await c.rows("SELECT coalesce(max(version), 0) AS v FROM termauth_schema").first?.value("v", as: Int32.self) ?? 0)
    }
}
