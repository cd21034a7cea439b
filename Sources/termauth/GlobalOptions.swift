import ArgumentParser
import Foundation
import TermAuthCore

/// `--db` and `--config`, on every command.
struct GlobalOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "SQLite database file, or a postgres://USER@HOST:PORT/DB URL (default: $TERMAUTH_DB, else $XDG_DATA_HOME/termauth/termauth.db).",
            valueName: "path-or-url"))
    var db: String?

    @Option(help: ArgumentHelp("TOML settings file.", valueName: "file"))
    var config: String?

    var databasePath: String {
        if let db { return db }
        let env = ProcessInfo.processInfo.environment
        if let fromEnv = env["TERMAUTH_DB"], !fromEnv.isEmpty { return fromEnv }
        return (Self.dataDirectory as NSString).appendingPathComponent("termauth.db")
    }

    /// $XDG_DATA_HOME/termauth: the SQLite file, and PostgreSQL's approval-code key by default.
    static var dataDirectory: String {
        let env = ProcessInfo.processInfo.environment
        let dataHome =
            env["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (NSHomeDirectory() as NSString).appendingPathComponent(".local/share")
        return (dataHome as NSString).appendingPathComponent("termauth")
    }

    /// The SSH host key: `[ssh] host_key_file`, else beside the SQLite file, else (PostgreSQL) in
    /// the data directory, where every replica on a machine shares it.
    func sshHostKeyPath(_ settings: Settings) -> String {
        if let configured = settings.ssh.hostKeyFile { return configured }
        if PostgresLocation.isPostgresURL(databasePath) { return (Self.dataDirectory as NSString).appendingPathComponent("ssh_host_ed25519_key") }
        return databasePath + ".ssh_host_ed25519_key"
    }

    func settings() throws -> Settings {
        guard let config else { return Settings() }
        return try SettingsFile.load(path: config)
    }

    func open() async throws -> TermAuth {
        try await open(settings: try settings())
    }

    func open(settings: Settings) async throws -> TermAuth {
        try await TermAuth.connect(
            database: databasePath, settings: settings,
            defaultKeyFile: (Self.dataDirectory as NSString).appendingPathComponent("postgres-approval.key"))
    }
}
