import Foundation
import Synchronization
import GRDB
import Testing
@testable import TermAuthCore

@Suite struct GroupCommitWriterTests {
    private struct Refused: Error {}

    /// Batches run without savepoints until a write throws; then that write, and only that
    /// write, must leave nothing behind, and every other write in its batch must still land.
    @Test func aFailingWriteUndoesOnlyItselfWhateverItsBatch() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("group-commit-\(UUID().uuidString).sqlite3").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let pool = try DatabasePool(path: path)
        try await pool.write { try $0.execute(sql: "CREATE TABLE t(k TEXT PRIMARY KEY); INSERT INTO t(k) VALUES ('taken')") }
        let commits = Counter()
        let writer = GroupCommitWriter(pool: pool, afterCommit: { commits.add() })

        let outcomes = await withTaskGroup(of: (Int, Bool).self) { group in
            for i in 0..<300 {
                group.addTask {
                    let ok =
                        (try? await writer.write { db in
                            try db.execute(sql: "INSERT INTO t(k) VALUES (?)", arguments: ["\(i)-a"])
                            if i % 7 == 0 { throw Refused() } // after a change of its own
                            if i % 11 == 0 { try db.execute(sql: "INSERT INTO t(k) VALUES ('taken')") } // a constraint failure
                            try db.execute(sql: "INSERT INTO t(k) VALUES (?)", arguments: ["\(i)-b"])
                            return i
                        }) == i
                    return (i, ok)
                }
            }
            return await group.reduce(into: [Int: Bool]()) { $0[$1.0] = $1.1 }
        }
        let rows = Set(try await pool.read { try String.fetchAll($0, sql: "SELECT k FROM t") })
        let landing = (0..<300).filter { $0 % 7 != 0 && $0 % 11 != 0 }
        let expectedRows = Set(landing.flatMap { ["\($0)-a", "\($0)-b"] } + ["taken"])
        #expect(rows == expectedRows)
        #expect(Set(outcomes.filter(\.value).keys) == Set(landing))
        #expect(commits.value > 0 && commits.value < 300, "writes were gathered into fewer commits (\(commits.value))")
    }
}

private final class Counter: Sendable {
    private let count = Mutex(0)
    func add() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}
