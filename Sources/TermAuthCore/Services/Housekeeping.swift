/// Removes what has expired so the database does not grow without bound. A token is kept a
/// grace period past its expiry, so a late replay of a refresh token is still recognised as
/// reuse (and revokes its family) rather than as an unknown token.
public struct Housekeeping: Sendable {
    let store: any HousekeepingStore
    let clock: any WallClock
    let settings: Settings
    public var grace: Int64 = 24 * 3600
    public var batch = 5_000

    /// Purges in batches until nothing expired is left; returns what went.
    @discardableResult
    public func run() async throws -> PurgeCounts {
        var total = PurgeCounts()
        while true {
            let now = clock.now()
            // A counter whose window and lock both ended this long ago counts nothing any more.
            let idle = max(settings.security.failureWindowSeconds, settings.security.lockoutSeconds, settings.security.wrongCodeWindowSeconds)
            let counts = try await store.purgeExpired(
                before: now - grace, auditBefore: now - settings.auditRetainDays * 86_400, attemptsBefore: now - idle,
                // The server's own lifetimes decide too, whatever settings the rotation ran with.
                keysRetiredBefore: now - grace - settings.longestSignedLifetime, limit: batch)
            total.codes += counts.codes
            total.tokens += counts.tokens
            total.requests += counts.requests
            total.audit += counts.audit
            total.attempts += counts.attempts
            total.keys += counts.keys
            if [counts.codes, counts.tokens, counts.requests, counts.audit, counts.attempts].allSatisfy({ $0 < batch }) { return total }
            await Task.yield()
        }
    }
}
