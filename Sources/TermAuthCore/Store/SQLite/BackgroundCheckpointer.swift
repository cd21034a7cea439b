import Dispatch
import GRDB
import Synchronization

/// Copies the WAL back into the database on a connection and thread of its own. SQLite's
/// automatic checkpoint runs inside the commit that crosses its threshold, so the group-commit
/// writer used to stop for the copy and two fsyncs while every waiting request stood still
/// (idle CPU under `/token` load, not busy CPU). A passive checkpoint here runs beside the
/// writer: it never takes the write lock, and commits go on appending to the WAL meanwhile.
final class BackgroundCheckpointer: Sendable {
    private let queue = DispatchQueue(label: "termauth.checkpoint")
    private let scheduled = Atomic<Bool>(false)
    /// Opened with the store, once the file exists with its private mode: opened later, a
    /// checkpoint could recreate a file deleted meanwhile, with the umask's mode.
    private let connection: DatabaseQueue
    /// Gathers the commits of this long into one checkpoint: fewer fsyncs, same WAL bound.
    private let delay: DispatchTimeInterval = .milliseconds(50)

    init(path: String, configuration: Configuration) throws {
        connection = try DatabaseQueue(path: path, configuration: configuration)
    }

    /// Called after every commit; cheap when a checkpoint is already on its way.
    func noteCommit() {
        guard scheduled.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else { return }
        queue.asyncAfter(deadline: .now() + delay) { self.run() }
    }

    private func run() {
        scheduled.store(false, ordering: .releasing)
        do {
            _ = try connection.writeWithoutTransaction { try $0.checkpoint(.passive) }
        } catch {
            // SQLITE_BUSY (another process is checkpointing) or a transient failure: the next
            // commit schedules another try, and SQLite's recovery never depends on a checkpoint.
        }
    }
}
