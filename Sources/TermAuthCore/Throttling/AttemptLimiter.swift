import Foundation

/// Counts attempts per key (a username, a source address) and locks a key that reached its
/// limit. An attempt is claimed before the work it guards (a password hash, a code lookup) in
/// one atomic step that fails when the key is locked or at its limit, so N attempts racing
/// each other cannot all read "not locked": at most `limit` of them per window get through.
public struct AttemptLimiter: Sendable {
    public struct Rule: Sendable, Equatable {
        public var limit: Int
        public var window: Int64
        public var lockSeconds: Int64
        public init(limit: Int, window: Int64, lockSeconds: Int64) {
            self.limit = limit
            self.window = window
            self.lockSeconds = lockSeconds
        }
    }

    public enum Claim: Sendable, Equatable {
        case claimed
        /// `locked`: the key is locked. Otherwise its allowance is used up by attempts that
        /// may still be in flight, and frees again as those that succeed give theirs back.
        case refused(until: Int64, locked: Bool)
    }

    let store: any AttemptStore

    /// Claims one attempt. A key already locked is refused by a read alone, so a flood of
    /// refused attempts costs no writes.
    public func claim(_ key: String, rule: Rule, now: Int64) async throws -> Claim {
        if let counter = try await store.attemptCounter(key: key), let until = Self.refusal(counter, rule: rule, now: now) {
            return .refused(until: until, locked: Self.isLocked(counter, now: now))
        }
        return try await store.updateAttemptCounter(key: key, audit: { _ in nil }) { counter in
            if let counter, let until = Self.refusal(counter, rule: rule, now: now) {
                return (counter, .refused(until: until, locked: Self.isLocked(counter, now: now)))
            }
            guard let counter, counter.windowStart > now - rule.window else {
                return (AttemptCounter(count: 1, windowStart: now), .claimed)
            }
            var next = counter
            next.count += 1
            next.lockedUntil = nil
            return (next, .claimed)
        }
    }

    /// The claimed attempt failed. Returns the lock's end when this failure locked the key;
    /// `lockAudit(end)` records the lock in the same transaction.
    @discardableResult
    public func failed(_ key: String, rule: Rule, now: Int64, lockAudit: @escaping @Sendable (Int64) -> AuditEvent?) async throws -> Int64? {
        try await store.updateAttemptCounter(key: key, audit: { $0.flatMap(lockAudit) }) { counter in
            guard let counter, counter.count >= rule.limit, (counter.lockedUntil ?? 0) <= now else { return (counter, nil) }
            // The lock starts a fresh window: after it, the key has its whole allowance again.
            let until = now + rule.lockSeconds
            return (AttemptCounter(count: 0, windowStart: now, lockedUntil: until), until)
        }
    }

    /// The claimed attempt succeeded: its claim is given back. With `clear`, the whole count
    /// goes (a right password ends a run of failures). False when the key was locked
    /// meanwhile by attempts racing this one: the success must not be reported then.
    public func succeeded(_ key: String, now: Int64, clear: Bool) async throws -> Bool {
        try await store.updateAttemptCounter(key: key, audit: { _ in nil }) { counter in
            guard var counter else { return (nil, true) }
            if let until = counter.lockedUntil, until > now { return (counter, false) }
            if clear || counter.count <= 1 { return (nil, true) }
            counter.count -= 1
            return (counter, true)
        }
    }

    static func isLocked(_ counter: AttemptCounter, now: Int64) -> Bool { (counter.lockedUntil ?? 0) > now }

    /// When the key is locked or used up, the time it frees up.
    static func refusal(_ counter: AttemptCounter, rule: Rule, now: Int64) -> Int64? {
        if let until = counter.lockedUntil, until > now { return until }
        if counter.windowStart > now - rule.window, counter.count >= rule.limit { return counter.windowStart + rule.window }
        return nil
    }
}

extension Settings.Security {
    /// Failed sign-ins of one username.
    public var signInUserRule: AttemptLimiter.Rule { .init(limit: maxFailedLogins, window: failureWindowSeconds, lockSeconds: lockoutSeconds) }
    /// Failed sign-ins from one source address, any usernames.
    public var signInSourceRule: AttemptLimiter.Rule {
        .init(limit: maxFailedLoginsPerSource, window: failureWindowSeconds, lockSeconds: lockoutSeconds)
    }
    /// Wrong approval codes, per source and per user; the lock lasts the window.
    public var wrongCodeRule: AttemptLimiter.Rule { .init(limit: maxWrongCodes, window: wrongCodeWindowSeconds, lockSeconds: wrongCodeWindowSeconds) }
}

/// The keys attempts are counted under. A source is an address; IPv6 sources count by their
/// /64, which one host usually holds whole; local front ends count by their account.
public enum AttemptKey {
    public static func signInUser(_ username: String) -> String { "signin.user:" + username }
    public static func signInSource(_ source: String) -> String { "signin.source:" + network(source) }
    public static func codeUser(_ username: String) -> String { "code.user:" + username }
    public static func codeSource(_ source: String) -> String { "code.source:" + network(source) }

    public static func network(_ source: String) -> String {
        // The terminal and the command line of one account are one source.
        for local in ["terminal:", "cli:"] where source.hasPrefix(local) { return "local:" + source.dropFirst(local.count) }
        var address = in6_addr()
        guard !source.hasPrefix("::ffff:"), inet_pton(AF_INET6, source, &address) == 1 else { return source }
        let bytes = withUnsafeBytes(of: &address) { Array($0.prefix(8)) }
        let groups = stride(from: 0, to: 8, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }
        return groups.joined(separator: ":") + "::/64"
    }
}

extension AttemptKey {
    /// Whether `origin` is a network address (a per-source rule applies) rather than a local
    /// front end, whose people already hold the database and gain nothing from guessing.
    static func isNetworkAddress(_ origin: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, origin, &v4) == 1 || inet_pton(AF_INET6, origin, &v6) == 1
    }
}
