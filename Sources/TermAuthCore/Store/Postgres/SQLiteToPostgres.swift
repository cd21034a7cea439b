import Foundation
import GRDB
import PostgresNIO

/// Moves an installation from its SQLite file to PostgreSQL: every table, row for row, in one
/// PostgreSQL transaction, so a failed copy leaves the destination as it was. Columns are
/// converted by the destination's own column types, so nothing here repeats the schema.
public enum SQLiteToPostgres {
    public struct Report: Sendable {
        public var rows: [(table: String, count: Int)]
    }

    /// Parents before children, as a reader of the copy would expect; no foreign keys force it.
    static let tables = ["clients", "users", "scopes", "consents", "requests", "codes", "tokens", "audit", "attempts", "user_keys", "signing_keys"]
    /// Filled by the migrations themselves (the OpenID scopes): the SQLite file has the same
    /// rows, perhaps edited, so its rows replace them.
    static let seeded: Set<String> = ["scopes"]
    private static let rowsPerStatement = 400

    public static func copy(from source: SQLiteStore, to destination: PostgresStore) async throws -> Report {
        let batches = try await source.pool.read { db -> [String: [[(String, DatabaseValue)]]] in
            var all: [String: [[(String, DatabaseValue)]]] = [:]
            for table in tables {
                all[table] = try Row.fetchAll(db, sql: "SELECT * FROM \(table)").map { row in
                    Array(zip(row.columnNames, row.databaseValues))
                }
            }
            return all
        }
        let counts = try await destination.inTransaction { c in
            for table in tables where !seeded.contains(table) {
                let present = try await c.rows("SELECT count(*) AS n FROM \(unescaped: table)").first?.value("n", as: Int64.self) ?? 0
                guard present == 0 else {
                    throw TermAuthError.invalidArgument(
                        "\(destination.location.redacted): table \(table) already holds \(present) rows; copy into an empty database")
                }
            }
            var counts: [(String, Int)] = []
            for table in tables {
                let types = try await columnTypes(table, c)
                let rows = batches[table] ?? []
                if seeded.contains(table) { try await c.rows("DELETE FROM \(unescaped: table)") }
                var start = 0
                while start < rows.count {
                    let chunk = rows[start..<min(start + rowsPerStatement, rows.count)]
                    try await c.rows(try insert(table, chunk, types: types))
                    start += chunk.count
                }
                counts.append((table, rows.count))
            }
            // The audit ids came along; the sequence must continue after them.
            try await c.rows("SELECT setval(pg_get_serial_sequence('audit', 'id'), coalesce((SELECT max(id) FROM audit), 0) + 1, false)")
            return counts
        }
        return Report(rows: counts.map { (table: $0.0, count: $0.1) })
    }

    private static func columnTypes(_ table: String, _ c: PostgresConnection) async throws -> [String: String] {
        let rows = try await c.rows(
            """
            SELECT column_name, data_type FROM information_schema.columns
            WHERE table_schema = current_schema() AND table_name = \(table)
            """)
        return Dictionary(
            uniqueKeysWithValues: try rows.map { (try $0.value("column_name", as: String.self), try $0.value("data_type", as: String.self)) })
    }

    private static func insert(_ table: String, _ rows: ArraySlice<[(String, DatabaseValue)]>, types: [String: String]) throws -> PostgresQuery {
        guard let columns = rows.first?.map(\.0) else { return "SELECT 1" }
        var binds = PostgresBindings(capacity: rows.count * columns.count)
        var tuples: [String] = []
        for row in rows {
            var placeholders: [String] = []
            for (column, value) in row {
                guard let type = types[column] else {
                    throw TermAuthError.configuration("column \(table).\(column) of the SQLite file is unknown to the PostgreSQL schema")
                }
                try bind(value, as: type, into: &binds, at: "\(table).\(column)")
                placeholders.append("$\(binds.count)")
            }
            tuples.append("(" + placeholders.joined(separator: ", ") + ")")
        }
        return PostgresQuery(
            unsafeSQL: "INSERT INTO \(table)(\(columns.joined(separator: ", "))) VALUES \(tuples.joined(separator: ", "))", binds: binds)
    }

    private static func bind(_ value: DatabaseValue, as type: String, into binds: inout PostgresBindings, at column: String) throws {
        switch (value.storage, type) {
        case (.null, _): binds.appendNull()
        case (.int64(let n), "boolean"): binds.append(n != 0)
        case (.int64(let n), "integer"): binds.append(Int32(clamping: n))
        case (.int64(let n), _): binds.append(n)
        case (.string(let s), _): binds.append(s)
        case (.blob(let data), _): try binds.append(data)
        case (.double(let d), _): binds.append(Int64(d))
        }
    }
}
