import Dispatch
import GRDB
import Synchronization

/// Group commit: concurrent writes are gathered into one SQLite transaction, and every caller
/// is answered only after that transaction commits. One commit then pays for many tokens, and
/// each caller still sees exactly the atomicity and outcome it would have had alone: a batch in
/// which a write throws is rolled back whole and run again with a savepoint per write, so the
/// failed write undoes only its own changes.
final class GroupCommitWriter: Sendable {
    private struct Item: Sendable {
        /// Runs the write, in a savepoint of its own when `isolated`; false when it threw.
        let run: @Sendable (Database, _ isolated: Bool) -> Bool
        let finish: @Sendable ((any Error)?) -> Void
    }

    /// A write in a batch run without savepoints failed: roll back, run again isolated.
    private struct IsolateAndRetry: Error {}

    private struct Queue {
        var pending: [Item] = []
        var draining = false
    }

    private let pool: DatabasePool
    private let afterCommit: @Sendable () -> Void
    private let queue = Mutex(Queue())
    /// Caps one transaction, so a burst cannot hold the write lock for long.
    private let maxBatch = 256

    private let drainQueue = DispatchQueue(label: "termauth.group-commit")

    init(pool: DatabasePool, afterCommit: @escaping @Sendable () -> Void) {
        self.pool = pool
        self.afterCommit = afterCommit
    }

    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        let slot = ResultSlot<T>()
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let item = Item(
                run: { db, isolated in
                    let result = isolated ? Savepoint.run(db, body) : Result { try body(db) }
                    slot.set(result)
                    if case .success = result { return true }
                    return false
                },
                finish: { commitError in
                    if let commitError { continuation.resume(throwing: commitError) } else { continuation.resume(with: slot.take()) }
                })
            let startDrain = queue.withLock { q -> Bool in
                q.pending.append(item)
                if q.draining { return false }
                q.draining = true
                return true
            }
            if startDrain { drainQueue.async { self.drain() } }
        }
    }

    /// Commits run on a thread of their own: on the cooperative pool (two threads on two
    /// cores) a blocking commit halved the threads left for answering requests.
    ///
    /// Writes almost never throw (a colliding approval code, a full disk), so a batch first runs
    /// without savepoints: a savepoint per write cost two statements and a copy of every page
    /// the write touched that an earlier write in the batch had already changed.
    private func commit(_ batch: [Item]) throws {
        do {
            try pool.write { db in
                for item in batch where !item.run(db, false) { throw IsolateAndRetry() }
            }
        } catch is IsolateAndRetry where batch.count > 1 {
            try pool.write { db in
                for item in batch { _ = item.run(db, true) }
            }
        } catch is IsolateAndRetry {
            // Alone in its batch: the rollback undid exactly its changes, and its slot holds its error.
        }
    }

    private func drain() {
        while true {
            let batch = queue.withLock { q -> [Item] in
                let take = Array(q.pending.prefix(maxBatch))
                q.pending.removeFirst(take.count)
                if take.isEmpty { q.draining = false }
                return take
            }
            if batch.isEmpty { return }
            do {
                try commit(batch)
                for item in batch { item.finish(nil) }
                afterCommit()
            } catch {
                for item in batch { item.finish(error) }
            }
        }
    }
}

/// One write's own savepoint inside the shared transaction, with cached statements: GRDB's
/// `inSavepoint` prepares its statements anew each time, which showed in `/token` profiles.
private enum Savepoint {
    static func run<T>(_ db: Database, _ body: (Database) throws -> T) -> Result<T, any Error> {
        do {
            try db.cachedStatement(sql: "SAVEPOINT batch_item").execute()
        } catch {
            return .failure(error)
        }
        do {
            let value = try body(db)
            try db.cachedStatement(sql: "RELEASE SAVEPOINT batch_item").execute()
            return .success(value)
        } catch {
            _ = try? db.cachedStatement(sql: "ROLLBACK TO SAVEPOINT batch_item").execute()
            _ = try? db.cachedStatement(sql: "RELEASE SAVEPOINT batch_item").execute()
            return .failure(error)
        }
    }
}

/// Where a batched write leaves its result until the batch has committed.
private final class ResultSlot<T: Sendable>: Sendable {
    private let value = Mutex<Result<T, any Error>?>(nil)

    func set(_ result: Result<T, any Error>) { value.withLock { $0 = result } }

    func take() -> Result<T, any Error> {
        value.withLock { $0 } ?? .failure(TermAuthError.storage("write produced no result"))
    }
}
