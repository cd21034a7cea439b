import GRDB
import Synchronization

/// Read-only connections kept aside for point reads, each leased whole to one caller.
/// GRDB's pool hands out a reader through a barrier queue and a semaphore, and under load the
/// two request threads met there: perf showed it at about 5% of `/introspect`. A lease here is
/// one uncontended lock, and the connection's own queue is then never contended either.
final class ReaderConnections: Sendable {
    private let path: String
    private let configuration: Configuration
    private let idle = Mutex<[DatabaseQueue]>([])
    /// One per cooperative thread is enough; beyond this, a caller uses GRDB's pool instead.
    private let limit: Int

    init(path: String, configuration: Configuration, limit: Int) {
        var configuration = configuration
        configuration.readonly = true
        self.path = path
        self.configuration = configuration
        self.limit = limit
    }

    /// Runs `body` on a leased connection outside any transaction (each read is one SELECT);
    /// nil when every connection is leased and no more may be opened.
    func read<T>(_ body: (Database) throws -> T) throws -> T? {
        guard let connection = try lease() else { return nil }
        defer { idle.withLock { $0.append(connection) } }
        return try connection.inDatabase(body)
    }

    private let opened = Atomic<Int>(0)

    private func lease() throws -> DatabaseQueue? {
        if let connection = idle.withLock({ $0.popLast() }) { return connection }
        guard opened.add(1, ordering: .relaxed).newValue <= limit else {
            opened.subtract(1, ordering: .relaxed)
            return nil
        }
        return try DatabaseQueue(path: path, configuration: configuration)
    }
}
