import Foundation
import Synchronization
import Testing
@testable import TermAuthCore

/// PBKDF2 runs on the pool's own threads with a bounded queue; past it callers are refused at
/// once (503 at the HTTP front end) instead of piling up on Swift's cooperative pool.
@Suite struct PasswordHashPoolTests {
    @Test func pastTheQueueCallersAreRefusedAtOnce() async throws {
        let pool = PasswordHashPool(threads: 1, queue: 2)
        let gate = Mutex(false)
        // One job holds the only thread until released; two more wait in the queue.
        let blocker: @Sendable () -> Bool = {
            while !gate.withLock({ $0 }) { usleep(1000) }
            return true
        }
        let running = Task { try await pool.run(blocker) }
        try await Task.sleep(for: .milliseconds(100))
        let queued = (0..<2).map { _ in Task { try await pool.run { true } } }
        try await Task.sleep(for: .milliseconds(100))
        await #expect(throws: TermAuthError.overloaded("password checks", retryAfter: 1)) { try await pool.run { true } }
        gate.withLock { $0 = true }
        #expect(try await running.value)
        for task in queued { #expect(try await task.value) }
        // Room again.
        #expect(try await pool.run { 42 } == 42)
    }

    @Test func workRunsOffTheCallersThread() async throws {
        let pool = PasswordHashPool(threads: 1, queue: 4)
        let name = try await pool.run { PasswordHashPool.nameOfThisThread() }
        #expect(name.hasPrefix("termauth-hash-"))
    }
}
