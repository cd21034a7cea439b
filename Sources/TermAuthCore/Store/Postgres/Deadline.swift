import Synchronization

/// Answers within a deadline whatever the work does. A task group would not do: leaving
/// one waits for every child, and a query on a connection the server dropped mid-restart was
/// seen to hang for good (30 s and more), holding its HTTP request with it.
enum Deadline {
    static func run<T: Sendable>(within limit: Duration, _ work: @escaping @Sendable () async throws -> T) async throws -> T {
        let race = Race<T>()
        return try await withCheckedThrowingContinuation { continuation in
            race.begin(continuation)
            let worker = Task {
                let result: Result<T, any Error>
                do { result = .success(try await work()) } catch { result = .failure(error) }
                race.finish(with: result)
            }
            race.arm(
                Task {
                    try await Task.sleep(for: limit)
                    // Cancelling gives up a connection lease still waited for; a query already
                    // sent runs on, its answer dropped.
                    worker.cancel()
                    race.finish(with: .failure(TermAuthError.storage("PostgreSQL did not answer within \(limit)")))
                })
        }
    }
}

/// The caller's continuation, resumed once by whichever of work and timer comes first.
private final class Race<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, any Error>?
        var timer: Task<Void, any Error>?
        var finished = false
    }

    private let state = Mutex(State())

    func begin(_ continuation: CheckedContinuation<T, any Error>) { state.withLock { $0.continuation = continuation } }

    func arm(_ timer: Task<Void, any Error>) {
        let alreadyDone = state.withLock { s -> Bool in
            if s.finished { return true }
            s.timer = timer
            return false
        }
        if alreadyDone { timer.cancel() }
    }

    func finish(with result: Result<T, any Error>) {
        let (continuation, timer) = state.withLock { s -> (CheckedContinuation<T, any Error>?, Task<Void, any Error>?) in
            if s.finished { return (nil, nil) }
            s.finished = true
            defer { s.continuation = nil; s.timer = nil }
            return (s.continuation, s.timer)
        }
        timer?.cancel()
        continuation?.resume(with: result)
    }
}
