/// Proof that a person gave the right password just now. Only `SignIn` makes one, so a front
/// end cannot approve a request for a user it did not authenticate.
public struct SignedInUser: Sendable, Equatable {
    public let user: User
    init(user: User) { self.user = user }
}

/// Password sign-in with lockout, the one path every front end uses (screens, headless approve,
/// the password grant).
///
/// Each attempt is claimed for its username and its source address before any hashing (see
/// `AttemptLimiter`): `maxFailedLogins` failures per user, or `maxFailedLoginsPerSource` per
/// address, within `failureWindowSeconds` lock that user or address for `lockoutSeconds`,
/// right password or not. Unknown user, wrong password and locked account get the same
/// answer, no sooner than `failedSignInMilliseconds` after the attempt began; only the audit
/// log tells them apart.
public struct SignIn: Sendable {
    let store: any Store
    let settings: Settings
    let clock: any Clock

    var limiter: AttemptLimiter { AttemptLimiter(store: store) }
    /// About as long as a queue of password checks takes to drain.
    static let waitForClaimsInFlight: Duration = .seconds(3)

    var userRule: AttemptLimiter.Rule {
        let s = settings.security
        return .init(limit: s.maxFailedLogins, window: s.failureWindowSeconds, lockSeconds: s.lockoutSeconds)
    }

    var sourceRule: AttemptLimiter.Rule {
        let s = settings.security
        return .init(limit: s.maxFailedLoginsPerSource, window: s.failureWindowSeconds, lockSeconds: s.lockoutSeconds)
    }

    public func signIn(username: String, password: String, clientID: String? = nil, origin: String? = nil) async throws -> SignedInUser {
        let started = ContinuousClock.now
        do {
            return try await attempt(username: username, password: password, clientID: clientID, origin: origin)
        } catch let error as TermAuthError where error == .invalidCredentials || error.oauthCode == .temporarilyUnavailable {
            // Every refusal takes the same time however early it was decided, and a "too busy"
            // waits too, so a flooding connection gets a few answers a second, not thousands.
            try? await Task.sleep(until: started + .milliseconds(settings.security.failedSignInMilliseconds), clock: .continuous)
            throw error
        }
    }

    /// An allowance used up by attempts still in flight (many sign-ins of one account at
    /// once, say a service's parallel password grants, or many people behind one address)
    /// frees as they succeed, so the claim waits for them a while. A failure at the limit
    /// locks the key at once, so a lock, not a full allowance, is what refuses an attacker.
    private func claim(_ key: String, rule: AttemptLimiter.Rule, now: Int64) async throws -> Bool {
        let deadline = ContinuousClock.now + Self.waitForClaimsInFlight
        while true {
            switch try await limiter.claim(key, rule: rule, now: now) {
            case .claimed: return true
            case .refused(_, let locked):
                if locked || ContinuousClock.now >= deadline { return false }
                try await Task.sleep(for: .milliseconds(20))
            }
        }
    }

    private func attempt(username: String, password: String, clientID: String?, origin: String?) async throws -> SignedInUser {
        let now = clock.now()
        let source = origin ?? "unknown"
        let userKey = AttemptKey.signInUser(username)
        let sourceKey = AttemptKey.signInSource(source)
        func record(_ kind: AuditEvent.Kind, _ detail: String) async throws {
            try await store.appendAudit(AuditEvent(at: now, kind: kind, clientID: clientID, username: username, detail: detail, origin: origin))
        }

        // Locked keys are refused without a hash and without an audit row each: a flood of
        // them costs reads only. The lock itself was audited when it began.
        guard try await claim(sourceKey, rule: sourceRule, now: now), try await claim(userKey, rule: userRule, now: now) else {
            throw TermAuthError.invalidCredentials
        }

        let user = try await store.user(username: username)
        let hasher = settings.passwordHasher
        let stored = user?.passwordHash
        let pool = PasswordHashPool.shared(for: settings.security)
        // An unknown username costs the same hash as a known one.
        let matches = try await pool.run { stored.map { hasher.verify(password, against: $0) } ?? hasher.burn(password) }

        guard let user, matches else {
            try await record(.loginFailed, user == nil ? "unknown username" : "wrong password")
            if let until = try await limiter.failed(userKey, rule: userRule, now: now) {
                try await record(.accountLocked, "\(userRule.limit) failures; locked until \(Timestamp.iso8601(until))")
            }
            if let until = try await limiter.failed(sourceKey, rule: sourceRule, now: now) {
                try await record(.sourceLocked, "\(sourceRule.limit) failures from \(source); locked until \(Timestamp.iso8601(until))")
            }
            throw TermAuthError.invalidCredentials
        }
        // Failures racing this attempt may have locked the account meanwhile: then the right
        // password is refused like any other attempt during the lock.
        guard try await limiter.succeeded(userKey, now: now, clear: true) else {
            try await record(.loginFailed, "right password while locked")
            throw TermAuthError.invalidCredentials
        }
        _ = try await limiter.succeeded(sourceKey, now: now, clear: false)
        try await record(.loginSucceeded, "")
        return SignedInUser(user: user)
    }
}
