/// A count of attempts under one key (a user, a source address), with the window it counts in
/// and the lock it led to. The rules that read and change it live in `AttemptLimiter`.
public struct AttemptCounter: Sendable, Equatable {
    public var count: Int
    public var windowStart: Int64
    public var lockedUntil: Int64?
    public init(count: Int, windowStart: Int64, lockedUntil: Int64? = nil) {
        self.count = count
        self.windowStart = windowStart
        self.lockedUntil = lockedUntil
    }
}

public protocol AttemptStore: Sendable {
    func attemptCounter(key: String) async throws -> AttemptCounter?
    /// Reads the counter, lets `change` decide its next value (nil removes it) and stores that,
    /// atomically: concurrent callers on any process or replica see each other's changes.
    /// `audit(result)` is written in the same transaction (a lock and the row recording it).
    func updateAttemptCounter<T: Sendable>(
        key: String, audit: @escaping @Sendable (T) -> AuditEvent?, _ change: @escaping @Sendable (AttemptCounter?) -> (AttemptCounter?, T)
    ) async throws -> T
}
