import Synchronization

/// Answers within a deadline whatever the work does. A task group would not do: leaving
/// one waits for every child, and a query on a connection the server dropped mid-restart was
/// seen to hang for good (30 s and more), holding its HTTP request with it.
enum Deadline {
    static func run<T: Sendable>(within limit: Duration, _ work: @escaping @Sendable () async throws -> T) async throws -> T {
        let waiting = Waiting<T>()
        return try await withCheckedThrowingContinuation { continuation in
            waiting.set(continuation)
            let timer = Task {
                try await Task.sleep(for: limit)
                waiting.take()?.resume(throwing: TermAuthError.storage("PostgreSQL did not answer within \(limit)"))
            }
            Task {
                let result: Result<T, any Error>
                do { result = .success(try await work()) } catch { result = .failure(error) }
                timer.cancel()
                waiting.take()?.resume(with: result)
            }
        }
    }
}

/// The caller's continuation, resumed by whichever of work and timer comes first.
private final class Waiting<T: Sendable>: Sendable {
    private let slot = Mutex<CheckedContinuation<T, any Error>?>(nil)
    func set(_ continuation: CheckedContinuation<T, any Error>) { slot.withLock { $0 = continuation } }
    func take() -> CheckedContinuation<T, any Error>? { slot.withLock { $0.take() } }
}
