import Foundation
import Logging
import PostgresNIO

/// The store for several server replicas: one PostgreSQL database through a connection pool.
/// Each method is one transaction (or one statement, which PostgreSQL commits on its own),
/// committed before it returns. Races between replicas are settled by the database: every
/// "only once" change is an `UPDATE ... WHERE <still unchanged> RETURNING`, which PostgreSQL
/// serialises on the row, so exactly one caller sees its row come back.
public final class PostgresStore: Store {
    public let location: PostgresLocation
    private let client: PostgresClient
    private let runner: Task<Void, Never>
    private let logger: Logger
    /// A caller waiting longer than this for a connection gets `.storage` (503): while the
    /// database restarts, requests fail fast instead of piling up behind the pool.
    private let deadline: Duration

    private init(location: PostgresLocation, maximumConnections: Int, deadline: Duration, logger: Logger) {
        self.location = location
        self.deadline = deadline
        self.logger = logger
        let client = PostgresClient(configuration: location.clientConfiguration(maximumConnections: maximumConnections), backgroundLogger: logger)
        self.client = client
        runner = Task { await client.run() }
    }

    /// Connects and brings the schema up to date (refusing one newer than this build knows).
    public static func connect(
        _ location: PostgresLocation, maximumConnections: Int = 16, deadline: Duration = .seconds(5),
        logger: Logger = PostgresStore.defaultLogger
    ) async throws -> PostgresStore {
        try await probe(location)
        let store = PostgresStore(location: location, maximumConnections: maximumConnections, deadline: deadline, logger: logger)
        do {
            _ = try await store.migrate()
        } catch {
            store.close()
            throw error
        }
        return store
    }

    /// One plain connection first: the pool would retry a wrong port, user or database quietly
    /// for a minute, where this says at once what PostgreSQL (or the network) answered.
    static func probe(_ location: PostgresLocation) async throws {
        do {
            let connection = try await PostgresConnection.connect(configuration: try location.connectionConfiguration(), id: 0, logger: silent)
            try? await connection.close()
        } catch let error as PSQLError {
            throw TermAuthError.storage("\(location.redacted): \(reason(error))")
        } catch {
            throw TermAuthError.storage("\(location.redacted): \(error)")
        }
    }

    /// What went wrong, in PostgreSQL's words or the socket's.
    static func reason(_ error: PSQLError) -> String {
        if error.code == .sslUnsupported { return "the server does not offer TLS, which sslmode=require asks for" }
        if let message = error.serverInfo?[.message] { return message }
        if let underlying = error.underlying {
            let text = "\(underlying)"
            if text.contains("refused") { return "connection refused" }
            if let range = text.range(of: "error: ") { return String(text[range.upperBound...].prefix(120)) }
            return String(text.prefix(160))
        }
        return "\(error.code)"
    }

    deinit { runner.cancel() }

    /// Closes the pool's connections; the store is unusable afterwards.
    public func close() { runner.cancel() }

    // MARK: running statements

    /// One statement (or several that need no atomicity), on a pooled connection.
    func run<T: Sendable>(
        _ what: String = "", deadline: Duration? = nil, _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        let client = self.client
        let deadline = deadline ?? self.deadline
        let logger = self.logger
        do {
            return try await Deadline.run(within: deadline) {
                try await client.withConnection { connection in try await body(connection) }
            }
        } catch {
            throw Self.mapped(error, what: what, logger: logger)
        }
    }

    /// Without the usual deadline: for bulk work such as `SQLiteToPostgres`.
    func inTransaction<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        try await transaction(deadline: .seconds(86_400), body)
    }

    /// A change whose audit row depends on its outcome, written in the same transaction.
    func transaction<T: Sendable>(
        _ what: String = "", audited audit: @escaping @Sendable (T) -> AuditEvent?, _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        try await transaction(what) { c in
            let outcome = try await body(c)
            if let event = audit(outcome) { try await Self.insert(event, c) }
            return outcome
        }
    }

    func transaction<T: Sendable>(
        _ what: String = "", deadline: Duration? = nil, _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        let logger = self.logger
        return try await run(what, deadline: deadline) { c in
            // A transaction PostgreSQL chose as a deadlock victim, or could not serialise, was
            // rolled back whole, so running it again is safe; the body re-reads what it decides on.
            for attempt in 1... {
                try await c.query("BEGIN", logger: logger)
                do {
                    let value = try await body(c)
                    try await c.query("COMMIT", logger: logger)
                    return value
                } catch {
                    _ = try? await c.query("ROLLBACK", logger: logger)
                    guard attempt < 3, Self.isRetryable(error) else { throw error }
                    logger.info("PostgreSQL: transaction retried after \(Self.sqlState(error) ?? "?")")
                }
            }
            fatalError("unreachable")
        }
    }

    static func sqlState(_ error: any Error) -> String? { (error as? PSQLError)?.serverInfo?[.sqlState] }

    /// deadlock_detected and serialization_failure.
    static func isRetryable(_ error: any Error) -> Bool { ["40P01", "40001"].contains(sqlState(error) ?? "") }

    /// Engine failures become the core's errors: `.duplicate` for a unique key, `.storage`
    /// (503 `temporarily_unavailable`) for anything else; the caller never sees PostgresNIO.
    static func mapped(_ error: any Error, what: String, logger: Logger) -> any Error {
        if let error = error as? TermAuthError { return error }
        if let error = error as? PSQLError {
            if sqlState(error) == "23505" { return TermAuthError.duplicate(what) }
            let message = reason(error)
            logger.warning("PostgreSQL: \(message)")
            return TermAuthError.storage("PostgreSQL: \(message)")
        }
        if error is CancellationError { return TermAuthError.storage("PostgreSQL: cancelled") }
        logger.warning("PostgreSQL: \(String(reflecting: error))")
        return TermAuthError.storage("PostgreSQL: \(error)")
    }

    func one<T: Sendable>(_ query: PostgresQuery, _ decode: @escaping @Sendable (PGRow) throws -> T) async throws -> T? {
        try await run { c in try await c.rows(query).first.map(decode) }
    }

    func all<T: Sendable>(_ query: PostgresQuery, _ decode: @escaping @Sendable (PGRow) throws -> T) async throws -> [T] {
        try await run { c in try await c.rows(query).map(decode) }
    }

    /// How many rows a statement with `RETURNING 1` touched.
    func count(_ query: PostgresQuery) async throws -> Int {
        try await run { c in try await c.rows(query).count }
    }
}

extension PostgresConnection {
    /// Runs a statement and collects its rows, already in random-access form.
    @discardableResult
    func rows(_ query: PostgresQuery) async throws -> [PGRow] {
        try await self.query(query, logger: PostgresStore.silent).collect().map { $0.makeRandomAccess() }
    }
}

extension PostgresStore {
    /// Warnings and worse: the pool reports every failed connection attempt at info, which
    /// would bury a command's own output while the database restarts.
    public static var defaultLogger: Logger {
        var logger = Logger(label: "termauth.postgres")
        logger.logLevel = .warning
        return logger
    }

    static let silent = Logger(label: "termauth.postgres.query", factory: { _ in SwiftLogNoOpLogHandler() })
}
