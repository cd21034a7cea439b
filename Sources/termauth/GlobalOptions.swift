import ArgumentParser
import Foundation
import TermAuthCore

/// `--db` and `--config`, on every command.
struct GlobalOptions: ParsableArguments {
    @Option(help: ArgumentHelp("SQLite database file (default: $TERMAUTH_DB, else $XDG_DATA_HOME/termauth/termauth.db).", valueName: "path"))
    var db: String?

    @Option(help: ArgumentHelp("TOML settings file.", valueName: "file"))
    var config: String?

    var databasePath: String {
        if let db { return db }
        let env = ProcessInfo.processInfo.environment
        if let fromEnv = env["TERMAUTH_DB"], !fromEnv.isEmpty { return fromEnv }
        let dataHome = env["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (NSHomeDirectory() as NSString).appendingPathComponent(".local/share")
        return (dataHome as NSString).appendingPathComponent("termauth/termauth.db")
    }

    func settings() throws -> Settings {
        guard let config else { return Settings() }
        return try SettingsFile.load(path: config)
    }

    func open() throws -> TermAuth {
        let path = databasePath
        if path.hasPrefix("postgres://") || path.hasPrefix("postgresql://") {
            throw TermAuthError.configuration("PostgreSQL databases are not supported yet; use a SQLite file path")
        }
        return try TermAuth.open(database: path, settings: try settings())
    }
}
