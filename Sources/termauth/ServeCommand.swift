import ArgumentParser
import Foundation
import Hummingbird
import Logging
import TermAuthCore
import TermAuthSSH
import TermAuthServer

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Run the authorization server (HTTP, or HTTPS with --tls-cert and --tls-key).")

    @OptionGroup var global: GlobalOptions

    @Option(help: "Address to listen on (default: settings, else 127.0.0.1).")
    var host: String?

    @Option(help: "Port to listen on; 0 picks a free one (default: settings, else 8080).")
    var port: Int?

    @Option(help: "Issuer URL announced in metadata (default: http://HOST:PORT).")
    var issuer: String?

    @Option(name: .customLong("tls-cert"), help: "PEM certificate chain: serve HTTPS (with --tls-key).")
    var tlsCert: String?

    @Option(name: .customLong("tls-key"), help: "PEM private key of --tls-cert.")
    var tlsKey: String?

    @Option(help: "Also serve the terminal UI over SSH on this port; 0 picks a free one (default: [ssh] port, else off).")
    var sshPort: Int?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    func run() async throws {
        var settings = try global.settings()
        if let issuer { settings.issuer = try Settings.issuer(issuer) }
        if tlsCert != nil || tlsKey != nil {
            guard let tlsCert, let tlsKey else { throw TermAuthError.invalidArgument("--tls-cert and --tls-key go together") }
            settings.tlsCertificateFile = tlsCert
            settings.tlsKeyFile = tlsKey
        }
        let host = self.host ?? settings.host
        let port = self.port ?? settings.port
        guard (0...65535).contains(port) else { throw TermAuthError.invalidArgument("--port must be 0 to 65535") }
        if let sshPort {
            guard (0...65535).contains(sshPort) else { throw TermAuthError.invalidArgument("--ssh-port must be 0 to 65535") }
            settings.ssh.port = sshPort
        }

        let level = logLevel
        LoggingSystem.bootstrap { label in
            BufferedLogHandler(logLevel: level, label: label, sink: .standardError)
        }
        let termAuth = try await global.open(settings: settings)
        let declared = try await termAuth.admin.applyDeclarations()
        for (clientID, secret) in declared.created where secret != nil {
            Output.notice("created client \(clientID) from the settings file; get its secret with: termauth client reset-secret \(clientID)")
        }
        for (clientID, changes) in declared.updated {
            Output.notice("updated client \(clientID) to match the settings file: \(changes.joined(separator: ", "))")
        }
        for conflict in declared.conflicts { Output.notice("warning: \(conflict)") }
        let ssh = try await startSSH(termAuth, settings: settings, host: host)
        defer { if let ssh { Task { await ssh.close() } } }
        let app = try TermAuthHTTP.buildApplication(
            termAuth, host: host, port: port, logger: Logger(label: "termauth"),
            sshCommand: ssh.map { settings.ssh.command(listeningHost: host, port: $0.port) },
            onListening: { url in
                // write(2) directly: scripts wait for these lines, and stdio would buffer them in a pipe.
                var lines = "listening on \(url)\n"
                if let ssh { lines += "ssh listening on \(Self.hostPort(ssh.host, ssh.port)) (host key \(ssh.fingerprint))\n" }
                FileHandle.standardOutput.write(Data(lines.utf8))
            })
        // Expiry housekeeping, once a minute, for as long as the server runs.
        let housekeeping = Task {
            let logger = Logger(label: "termauth.housekeeping")
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(60))
                do {
                    let purged = try await termAuth.housekeeping.run()
                    if purged.total > 0 {
                        logger.info("purged \(purged.tokens) tokens, \(purged.codes) codes, \(purged.requests) requests past expiry")
                    }
                } catch {
                    logger.warning("housekeeping failed: \(error)")
                }
            }
        }
        defer { housekeeping.cancel() }
        try await app.runService()
    }
}

extension ServeCommand {
    /// The SSH front end when `[ssh] port` or `--ssh-port` asks for it. Each session's screens
    /// run in a child: this very binary, told where the store is.
    private func startSSH(_ termAuth: TermAuth, settings: Settings, host: String) async throws -> SSHFrontEnd? {
        guard let port = settings.ssh.port else { return nil }
        let hostKey = try HostKey.loadOrCreate(path: global.sshHostKeyPath(settings), wrap: termAuth.keyWrap)
        // This very binary, even when an upgrade has replaced the file meanwhile.
        let executable = FileManager.default.fileExists(atPath: "/proc/self/exe") ? "/proc/self/exe" : CommandLine.arguments[0]
        var arguments = ["ssh-session"]
        if let config = global.config { arguments += ["--config", Self.absolute(config)] }
        var environment = [
            "TERMAUTH_DB": PostgresLocation.isPostgresURL(global.databasePath) ? global.databasePath : Self.absolute(global.databasePath)
        ]
        for name in ["HOME", "XDG_DATA_HOME", "TERMAUTH_THEME", "TERMAUTH_THEMES", "PATH", "PGPASSWORD", "PGPASSFILE"] {
            if let value = ProcessInfo.processInfo.environment[name] { environment[name] = value }
        }
        let frontEnd = try await SSHFrontEnd.start(
            termAuth: termAuth, settings: settings.ssh, host: host, port: port, hostKey: hostKey,
            launcher: SessionLauncher(
                executable: executable, arguments: arguments, environment: environment, settings: settings.ssh, listeningHost: host),
            logger: Logger(label: "termauth.ssh"))
        return frontEnd
    }

    static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }

    static func hostPort(_ host: String, _ port: Int) -> String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
