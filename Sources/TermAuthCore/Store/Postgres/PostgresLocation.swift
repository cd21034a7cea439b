import Foundation
import NIOSSL
import PostgresNIO

/// A `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?...]` URL, read the way libpq reads it
/// for the parts TermAuth supports, so operators can paste the URL they already use with psql.
///
/// Query parameters: `sslmode` (`disable`, `prefer`, `require`, `verify-full`; default `require`
/// for any host but loopback and sockets), `sslrootcert` (the CA for `verify-full`, else the
/// system's), `host` (a Unix socket directory, as libpq allows), `passfile`,
/// and TermAuth's own `schema` (tables live in that schema, created when missing: several
/// installations, or test runs, can share one database).
///
/// The password need not be in the URL, where `ps` would show it: as with libpq it may come
/// from `PGPASSWORD`, or from a password file (`passfile=`, `PGPASSFILE`, else `~/.pgpass`).
public struct PostgresLocation: Sendable, Equatable {
    /// As libpq: `prefer` and `require` encrypt without checking the server's certificate
    /// (they stop eavesdroppers, not impostors); `verify-full` checks it and its host name.
    public enum TLSMode: String, Sendable {
        case disable, prefer, require
        case verifyFull = "verify-full"
    }

    public var host: String
    public var port: Int
    public var socketDirectory: String?
    public var username: String
    public var password: String?
    public var database: String
    public var tls: TLSMode
    public var schema: String?
    public var rootCertificate: String?

    public static func isPostgresURL(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    public init(url text: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(TermAuthError) {
        guard Self.isPostgresURL(text), let url = URLComponents(string: text) else {
            throw .configuration("not a PostgreSQL URL (expected postgres://USER@HOST:PORT/DATABASE)")
        }
        let query = Dictionary((url.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { _, last in last })
        for key in query.keys where !["sslmode", "sslrootcert", "host", "schema", "passfile"].contains(key) {
            throw .configuration(
                "PostgreSQL URL: unsupported parameter \"\(Sanitized.line(key, limit: 40))\" (supported: sslmode, sslrootcert, host, passfile, schema)"
            )
        }
        socketDirectory = query["host"].flatMap { $0.hasPrefix("/") ? $0 : nil }
        host = url.host.flatMap { $0.isEmpty ? nil : $0 } ?? "127.0.0.1"
        port = url.port ?? 5432
        guard let user = url.user.flatMap({ $0.removingPercentEncoding }), !user.isEmpty else {
            throw .configuration("PostgreSQL URL: a user name is required (postgres://USER@HOST/DATABASE)")
        }
        username = user
        let path = String(url.path.drop { $0 == "/" })
        database = path.isEmpty ? user : (path.removingPercentEncoding ?? path)
        password = url.password?.removingPercentEncoding
        if password == nil, let fromEnvironment = environment["PGPASSWORD"], !fromEnvironment.isEmpty { password = fromEnvironment }
        if password == nil {
            let file = query["passfile"] ?? environment["PGPASSFILE"] ?? environment["HOME"].map { $0 + "/.pgpass" }
            if let file {
                password = try PasswordFile.lookup(
                    file, host: socketDirectory ?? host, port: port, database: database, username: user, named: query["passfile"] != nil)
            }
        }
        // Off the machine, the default is encryption: a password and every token would otherwise cross the network in clear.
        let mode = query["sslmode"] ?? (socketDirectory != nil || Self.isLoopback(host) ? "disable" : "require")
        guard let tls = TLSMode(rawValue: mode) else {
            throw .configuration(
                "PostgreSQL URL: sslmode must be disable, prefer, require or verify-full, not \"\(Sanitized.line(mode, limit: 40))\"")
        }
        self.tls = tls
        rootCertificate = query["sslrootcert"]
        if let schema = query["schema"] {
            // The name goes into DDL, so only plain identifiers are accepted.
            guard schema.range(of: "^[a-z_][a-z0-9_]{0,62}$", options: .regularExpression) != nil else {
                throw .configuration("PostgreSQL URL: schema must be a lower-case identifier, not \"\(Sanitized.line(schema, limit: 70))\"")
            }
            self.schema = schema
        }
    }

    private static func isLoopback(_ host: String) -> Bool {
        var address = in_addr()
        // 127.0.0.0/8 as an address only: a host name such as 127.example.com is not loopback.
        if inet_pton(AF_INET, host, &address) == 1 { return host.hasPrefix("127.") }
        return host == "localhost" || host == "::1" || host == "[::1]"
    }

    /// The TLS client configuration `tls` asks for.
    func tlsConfiguration() -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        if self.tls == .verifyFull {
            if let rootCertificate { tls.trustRoots = .file(rootCertificate) }
        } else {
            tls.certificateVerification = .none
        }
        return tls
    }

    /// The URL without its password, for messages and logs.
    public var redacted: String {
        let where_ = socketDirectory.map { "\($0) (socket)" } ?? "\(host):\(port)"
        return "postgres://\(username)@\(where_)/\(database)" + (schema.map { " schema \($0)" } ?? "")
    }

    func clientConfiguration(maximumConnections: Int) -> PostgresClient.Configuration {
        var config: PostgresClient.Configuration
        if let socketDirectory {
            config = .init(unixSocketPath: "\(socketDirectory)/.s.PGSQL.\(port)", username: username, password: password, database: database)
        } else {
            let tls: PostgresClient.Configuration.TLS
            switch self.tls {
            case .disable: tls = .disable
            case .prefer: tls = .prefer(tlsConfiguration())
            case .require, .verifyFull: tls = .require(tlsConfiguration())
            }
            config = .init(host: host, port: port, username: username, password: password, database: database, tls: tls)
        }
        config.options.maximumConnections = maximumConnections
        config.options.connectTimeout = .seconds(3)
        if let schema { config.options.additionalStartupParameters = [("search_path", schema)] }
        return config
    }

    /// The same place as one plain connection, for the start-up probe.
    func connectionConfiguration() throws -> PostgresConnection.Configuration {
        var config: PostgresConnection.Configuration
        if let socketDirectory {
            config = .init(unixSocketPath: "\(socketDirectory)/.s.PGSQL.\(port)", username: username, password: password, database: database)
        } else {
            let tls: PostgresConnection.Configuration.TLS
            switch self.tls {
            case .disable: tls = .disable
            case .prefer: tls = .prefer(try NIOSSLContext(configuration: tlsConfiguration()))
            case .require, .verifyFull: tls = .require(try NIOSSLContext(configuration: tlsConfiguration()))
            }
            config = .init(host: host, port: port, username: username, password: password, database: database, tls: tls)
        }
        config.options.connectTimeout = .seconds(5)
        return config
    }
}
