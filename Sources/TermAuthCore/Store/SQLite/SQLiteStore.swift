import Foundation
import GRDB

/// The embedded store: one SQLite file in WAL mode, shared by the server and any console or
/// headless command running beside it. Each method is one transaction, committed before it returns.
public final class SQLiteStore: Store {
    public let path: String
    let pool: DatabasePool
    private let writer: GroupCommitWriter
    private let readers: ReaderConnections

    public init(path: String, durability: Settings.Durability = .normal) throws {
        self.path = path
        try Self.createPrivately(path)
        var config = Configuration()
        // A console and the server write the same file; wait for the other's lock instead of failing.
        config.busyMode = .timeout(10)
        config.label = "termauth"
        config.prepareDatabase { db in
            // The writer's cache: it keeps the index pages every insert and update walks. Readers
            // lower theirs (see `ReaderConnections`).
            try db.execute(sql: "PRAGMA cache_size = -16000")
            // A batch that must be retried write by write keeps its savepoints' page copies in memory, not in temporary files.
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
        }
        do {
            pool = try DatabasePool(path: path, configuration: config)
            let migrator = SQLiteSchema.migrator
            if try pool.read({ try migrator.hasBeenSuperseded($0) }) {
                let known = migrator.migrations.joined(separator: ", ")
                throw TermAuthError.configuration(
                    "\(path): the database schema is newer than this termauth knows (it knows \(known)); run a newer termauth")
            }
            try migrator.migrate(pool)
            try pool.writeWithoutTransaction { db in
                if durability == .full {
                    // GRDB sets NORMAL on every connection it opens; only the writer's setting matters for commits.
                    try db.execute(sql: "PRAGMA synchronous = FULL")
                }
                // Checkpoints run beside the writer (see `BackgroundCheckpointer`). SQLite's own,
                // inside a commit, stays only as a backstop for a WAL of 40 MB, which a process
                // that exits before its checkpoint is due could otherwise leave growing. The size
                // limit trims the WAL file back after a burst.
                try db.execute(sql: "PRAGMA wal_autocheckpoint = 10000; PRAGMA journal_size_limit = 67108864")
            }
            let checkpointer = try BackgroundCheckpointer(path: path, configuration: config)
            writer = GroupCommitWriter(pool: pool, afterCommit: checkpointer.noteCommit)
            readers = ReaderConnections(path: path, configuration: config, limit: 8)
        } catch let error as TermAuthError {
            throw error
        } catch {
            throw TermAuthError.storage("\(path): \(Self.describe(error))")
        }
    }

    /// SQLite creates the -wal and -shm files with the database's own mode, so 0600 here covers all three.
    static func createPrivately(_ path: String) throws {
        try PrivateDirectory.create(containing: path)
        let fd = open(path, O_CREAT | O_RDWR | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            let reason = String(cString: strerror(errno))
            let what = FileManager.default.fileExists(atPath: path) ? "cannot open the database for writing" : "cannot create the database"
            throw TermAuthError.storage("\(path): \(what) (\(reason))")
        }
        defer { close(fd) }
        try PrivateFile.check(descriptor: fd, path: path, what: "database")
    }

    static func describe(_ error: any Error) -> String {
        if let db = error as? DatabaseError { return db.message ?? "\(db.resultCode)" }
        return "\(error)"
    }

    /// Maps engine failures onto the core's errors; the caller sees `.duplicate` or `.storage`, never GRDB.
    func run<T: Sendable>(_ what: String = "", _ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await writer.write(body)
        } catch let error as DatabaseError
            where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE || error.extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY
        {
            throw TermAuthError.duplicate(what)
        } catch let error as DatabaseError {
            throw TermAuthError.storage(Self.describe(error))
        }
    }

    /// A change whose audit row depends on its outcome, written in the same transaction.
    func run<T: Sendable>(
        _ what: String = "", audited audit: @escaping @Sendable (T) -> AuditEvent?, _ body: @escaping @Sendable (Database) throws -> T
    ) async throws -> T {
        try await run(what) { db in
            let outcome = try body(db)
            if let event = audit(outcome) { try Self.insert(event, db) }
            return outcome
        }
    }

    /// Point reads take microseconds, far less than a hop to GRDB's reader queue and back,
    /// so they run on the calling thread (measured: the hops dominated `/token`).
    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try readHere(body)
        } catch let error as DatabaseError {
            throw TermAuthError.storage(Self.describe(error))
        }
    }

    /// Every read here is one SELECT, consistent on its own, so the BEGIN/COMMIT that
    /// `read` wraps around it (a tenth of `/introspect`'s time in perf) buys nothing.
    func readHere<T>(_ body: (Database) throws -> T) throws -> T {
        if let value = try readers.read(body) { return value }
        return try pool.unsafeRead(body)
    }

    /// The first row of a cached statement, decoded in place: `Row.fetchOne` copies every
    /// column out first, which the hot lookups do not need.
    static func first<T>(_ db: Database, _ sql: String, _ arguments: StatementArguments, _ decode: (Row) -> T) throws -> T? {
        let cursor = try Row.fetchCursor(db.cachedStatement(sql: sql), arguments: arguments)
        // The row reads the live statement, which the cursor resets when it goes away.
        return try withExtendedLifetime(cursor) { try cursor.next().map(decode) }
    }
}
