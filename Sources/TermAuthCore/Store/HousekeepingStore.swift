/// What one housekeeping pass removed.
public struct PurgeCounts: Sendable, Equatable {
    public var codes = 0
    public var tokens = 0
    public var requests = 0
    public var audit = 0
    public var attempts = 0
    /// Retired signing keys published past the last token they signed.
    public var keys = 0
    public init() {}
    public var total: Int { codes + tokens + requests + audit + attempts + keys }
}

public protocol HousekeepingStore: Sendable {
    /// Deletes codes, tokens and parked requests that expired before `before`, audit rows older
    /// than `auditBefore`, retired signing keys published until before `before` and retired before `keysRetiredBefore`, and attempt counters idle and unlocked since `attemptsBefore`, at most
    /// `limit` rows of each per call, so the write lock is held only briefly.
    func purgeExpired(before: Int64, auditBefore: Int64, attemptsBefore: Int64, keysRetiredBefore: Int64, limit: Int) async throws -> PurgeCounts
}
