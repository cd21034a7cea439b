import ArgumentParser
import Foundation
import Hummingbird
import Logging
import TermAuthCore
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
        let app = try TermAuthHTTP.buildApplication(
            termAuth, host: host, port: port, logger: Logger(label: "termauth"),
            onListening: { url in
                // write(2) directly: scripts wait for this line, and stdio would buffer it in a pipe.
                FileHandle.standardOutput.write(Data("listening on \(url)\n".utf8))
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

extension Logger.Level: @retroactive ExpressibleByArgument {}
