import ArgumentParser
import Foundation
import TermAuthCore

/// `termauth migrate`: brings a database's schema up to date, or copies a SQLite
/// installation into an empty PostgreSQL database.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Bring the database schema up to date, or copy a SQLite file into PostgreSQL.",
        discussion: """
            Without --from/--to: applies missing schema migrations to --db (servers also do this when they start) \
            and prints the schema version. A database newer than this termauth is refused.

            With --from FILE --to postgres://...: copies every client, user, scope, consent, parked request, \
            code, token and audit event from the SQLite file into the empty PostgreSQL database, in one \
            transaction. Stop the servers first; the SQLite file is left as it was.
            """)

    @OptionGroup var global: GlobalOptions
    @Option(help: ArgumentHelp("SQLite database file to copy from.", valueName: "file")) var from: String?
    @Option(help: ArgumentHelp("PostgreSQL URL to copy into.", valueName: "url")) var to: String?
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        switch (from, to) {
        case (nil, nil):
            try await upgrade()
        case (let from?, let to?):
            try await copy(from: from, to: to)
        default:
            throw TermAuthError.invalidArgument("--from and --to go together")
        }
    }

    private func upgrade() async throws {
        let path = global.databasePath
        if PostgresLocation.isPostgresURL(path) {
            let location = try PostgresLocation(url: path)
            let store = try await PostgresStore.connect(location)
            defer { store.close() }
            let version = try await store.schemaVersion()
            if json {
                Output.json(SchemaSummary(database: location.redacted, version: version.current, latest: version.latest))
            } else {
                Output.line("\(location.redacted): schema version \(version.current) (this termauth knows up to \(version.latest))")
            }
            return
        }
        let store = try SQLiteStore(path: path)
        let version = try store.schemaVersion()
        if json {
            Output.json(SchemaSummary(database: path, version: version.applied.count, latest: version.known.count))
        } else {
            Output.line(
                "\(path): migrations \(version.applied.joined(separator: ", ")) applied (this termauth knows \(version.known.joined(separator: ", ")))"
            )
        }
    }

    private func copy(from: String, to: String) async throws {
        guard !PostgresLocation.isPostgresURL(from) else { throw TermAuthError.invalidArgument("--from takes a SQLite file") }
        guard FileManager.default.fileExists(atPath: from) else { throw TermAuthError.invalidArgument("--from \(from): no such file") }
        let location = try PostgresLocation(url: to)
        let source = try SQLiteStore(path: from)
        let destination = try await PostgresStore.connect(location)
        defer { destination.close() }
        let report = try await SQLiteToPostgres.copy(from: source, to: destination)
        if json {
            Output.json(Dictionary(uniqueKeysWithValues: report.rows.map { ($0.table, $0.count) }))
            return
        }
        Output.line("copied \(from) into \(location.redacted):")
        Output.table(["TABLE", "ROWS"], report.rows.map { [$0.table, String($0.count)] })
        Output.line(
            "the installation's key file stays in \(from).key: point storage.approval_key_file at it. It wraps the signing keys copied here, so without it no ID token or JWT is signed"
        )
    }
}

struct SchemaSummary: Encodable {
    let database: String
    let version: Int
    let latest: Int
}
