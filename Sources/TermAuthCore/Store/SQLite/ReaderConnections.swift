import GRDB
import Synchronization

/// Read-only connections kept aside for point reads, each leased whole to one caller.
/// GRDB's pool hands out a reader through a barrier queue and a semaphore, and under load the
/// two request threads met there: perf showed it at about 5% of `/introspect`. A lease here is
/// one uncontended lock, and the connection's own queue is then never contended either.
final class ReaderConnections: Sendable {
    private struct Connections {
        var idle: [DatabaseQueue] = []
        var opened = 0
    }

    private let path: String
    private let configuration: Configuration
    private let connections = Mutex(Connections())
    /// One per cooperative thread is enough; beyond this, a caller uses GRDB's pool instead.
    private let limit: Int

    init(path: String, configuration: Configuration, limit: Int) {
        var configuration = configuration
        configuration.readonly = true
        // Every commit by the writer empties a reader's page cache (SQLite checks the WAL header
        // at each read), so under writes a reader never holds more than one lookup's pages;
        // only read-only stretches can use more. 4 MB each keeps eight of them small.
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA cache_size = -4000") }
        self.path = path
        self.configuration = configuration
        self.limit = limit
    }

    /// Runs `body` on a leased connection outside any transaction (each read is one SELECT);
    /// nil when every connection is leased and no more may be opened.
    func read<T>(_ body: (Database) throws -> T) throws -> T? {
        guard let connection = try lease() else { return nil }
        defer { connections.withLock { $0.idle.append(connection) } }
        return try connection.inDatabase(body)
    }

    private func lease() throws -> DatabaseQueue? {
        enum Lease {
            case idle(DatabaseQueue)
            case open, none
        }
        let lease = connections.withLock { c -> Lease in
            if let connection = c.idle.popLast() { return .idle(connection) }
            guard c.opened < limit else { return .none }
            c.opened += 1
            return .open
        }
        switch lease {
        case .idle(let connection): return connection
        case .none: return nil
        case .open:
            do { return try DatabaseQueue(path: path, configuration: configuration) } catch {
                connections.withLock { $0.opened -= 1 }
                throw error
            }
        }
    }
}
