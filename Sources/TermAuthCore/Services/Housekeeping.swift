/// Removes what has expired so the database does not grow without bound. A token is kept a
/// grace period past its expiry, so a late replay of a refresh token is still recognised as
/// reuse (and revokes its family) rather than as an unknown token.
public struct Housekeeping: Sendable {
    let store: any Store
    let clock: any Clock
    public var grace: Int64 = 24 * 3600
    public var batch = 5_000

    /// Purges in batches until nothing expired is left; returns what went.
    @discardableResult
    public func run() async throws -> PurgeCounts {
        var total = PurgeCounts()
        while true {
            let counts = try await store.purgeExpired(before: clock.now() - grace, limit: batch)
            total.codes += counts.codes
            total.tokens += counts.tokens
            total.requests += counts.requests
            if counts.codes < batch && counts.tokens < batch && counts.requests < batch { return total }
            await Task.yield()
        }
    }
}
