/// Proof that a person gave the right password, or proved an SSH key of theirs, just now. Only
/// `SignIn` makes one, so a front end cannot approve a request for a user it did not authenticate.
public struct SignedInUser: Sendable, Equatable {
    public let user: User
    /// The fingerprint of the SSH key the person signed in with; nil for a password.
    public let key: String?
    /// When and how: the `auth_time` and `amr` of the ID tokens this sign-in leads to.
    public let authentication: Authentication
    init(user: User, key: String? = nil, at time: Int64) {
        self.user = user
        self.key = key
        authentication = Authentication(time: time, methods: [key == nil ? "pwd" : "pop"])
    }
}

/// What a person signs in with.
enum Credential: Sendable {
    case password(String)
    /// The fingerprint of a key whose private half the caller proved it holds (the SSH
    /// handshake verified the signature); it signs in only the user it is registered to.
    case provenKey(String)
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
    public typealias Storage = UserStore & UserKeyStore & AttemptStore & AuditStore
    let store: any Storage
    let settings: Settings
    let clock: any WallClock

    var limiter: AttemptLimiter { AttemptLimiter(store: store) }
    /// About as long as a queue of password checks takes to drain.
    static let waitForClaimsInFlight: Duration = .seconds(3)

    public func signIn(username: String, password: String, clientID: String? = nil, origin: String? = nil) async throws -> SignedInUser {
        try await signIn(username: username, credential: .password(password), clientID: clientID, origin: origin)
    }

    /// Signs in by an SSH key the SSH layer proved the caller holds, under the same lockout and
    /// audit as a password: a key registered to somebody else counts as a failure.
    public func signIn(username: String, provenKey fingerprint: String, origin: String) async throws -> SignedInUser {
        try await signIn(username: username, credential: .provenKey(fingerprint), clientID: nil, origin: origin)
    }

    func signIn(username: String, credential: Credential, clientID: String?, origin: String?) async throws -> SignedInUser {
        let started = ContinuousClock.now
        do {
            return try await attempt(username: username, credential: credential, clientID: clientID, origin: origin)
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
    private func claim(_ key: String, rule: AttemptLimiter.Rule) async throws -> Bool {
        let deadline = ContinuousClock.now + Self.waitForClaimsInFlight
        while true {
            switch try await limiter.claim(key, rule: rule, now: clock.now()) {
            case .claimed: return true
            case .refused(_, let locked):
                if locked || ContinuousClock.now >= deadline { return false }
                try await Task.sleep(for: .milliseconds(20))
            }
        }
    }

    private func attempt(username: String, credential: Credential, clientID: String?, origin: String?) async throws -> SignedInUser {
        let source = origin ?? "unknown"
        func record(_ kind: AuditEvent.Kind, _ detail: String) async throws {
            try await store.appendAudit(
                AuditEvent(at: clock.now(), kind: kind, clientID: clientID, username: username, detail: detail, origin: origin))
        }

        // Locked keys are refused without a hash and without an audit row each: a flood of
        // them costs reads only. The lock itself was audited when it began. The per-source
        // rule is for network addresses: people at a local terminal already hold the database.
        let security = settings.security
        var claimed: [Claimed] = []
        if AttemptKey.isNetworkAddress(source) {
            claimed.append(Claimed(key: AttemptKey.signInSource(source), rule: security.signInSourceRule, lockedEvent: .sourceLocked))
        }
        claimed.append(Claimed(key: AttemptKey.signInUser(username), rule: security.signInUserRule, lockedEvent: .accountLocked))
        for (index, (key, rule, _)) in claimed.enumerated() {
            guard try await claim(key, rule: rule) else {
                try await giveBack(claimed.prefix(index))
                throw TermAuthError.invalidCredentials
            }
        }

        let matches: Bool
        let user: User?
        do {
            user = try await store.user(username: username)
            matches = try await verify(credential, of: user)
        } catch {
            // No password was checked (too busy, storage down, cancelled): nothing counts.
            try? await giveBack(claimed[...])
            throw error
        }

        guard let user, matches else {
            try await record(.loginFailed, user == nil ? "unknown username\(credential.detail)" : "wrong \(credential.name)\(credential.detail)")
            // A key cannot be guessed, and anyone holding any key could offer it for someone
            // else: so another person's key counts against where it came from, never against
            // the account it was offered for (which would let anyone lock that account).
            var claimed = claimed
            if case .provenKey = credential, user != nil, let own = claimed.popLast() {
                _ = try await limiter.succeeded(own.key, now: clock.now(), clear: false)
            }
            for (key, rule, lockedEvent) in claimed {
                let whose = lockedEvent == .sourceLocked ? " from \(source)" : ""
                let locked = AuditEvent(at: clock.now(), kind: lockedEvent, clientID: clientID, username: username, origin: origin)
                try await limiter.failed(key, rule: rule, now: clock.now()) { until in
                    locked.with(detail: "\(rule.limit) failures\(whose); locked until \(Timestamp.iso8601(until))")
                }
            }
            throw TermAuthError.invalidCredentials
        }
        // Failures racing this attempt may have locked the account meanwhile: then the right
        // password is refused like any other attempt during the lock.
        guard try await limiter.succeeded(AttemptKey.signInUser(username), now: clock.now(), clear: true) else {
            try await giveBack(claimed.dropLast())
            try await record(.loginFailed, "right \(credential.name) while locked\(credential.detail)")
            throw TermAuthError.invalidCredentials
        }
        try await giveBack(claimed.dropLast())
        switch credential {
        case .password:
            try await record(.loginSucceeded, "")
            return SignedInUser(user: user, at: clock.now())
        case .provenKey(let fingerprint):
            try await record(.loginSucceeded, credential.detail.trimmingCharacters(in: [" ", ","]))
            return SignedInUser(user: user, key: fingerprint, at: clock.now())
        }
    }

    /// Whether the credential is the user's. An unknown username costs the same hash as a known one.
    private func verify(_ credential: Credential, of user: User?) async throws -> Bool {
        switch credential {
        case .password(let password):
            let hasher = settings.passwordHasher
            let stored = user?.passwordHash
            return try await PasswordHashPool.shared(for: settings.security).run {
                stored.map { hasher.verify(password, against: $0) } ?? hasher.burn(password)
            }
        case .provenKey(let fingerprint):
            guard let user else { return false }
            return try await store.userKeys(userID: user.id).contains { $0.fingerprint == fingerprint }
        }
    }

    /// An attempt claimed under one key, and what its lock is audited as.
    private typealias Claimed = (key: String, rule: AttemptLimiter.Rule, lockedEvent: AuditEvent.Kind)

    /// Returns claims whose attempt reached no verdict, or succeeded.
    private func giveBack(_ claims: ArraySlice<Claimed>) async throws {
        for claim in claims { _ = try await limiter.succeeded(claim.key, now: clock.now(), clear: false) }
    }
}

extension Credential {
    var name: String {
        switch self {
        case .password: return "password"
        case .provenKey: return "key"
        }
    }

    /// For the audit row: which key, never which password.
    var detail: String {
        switch self {
        case .password: return ""
        case .provenKey(let fingerprint): return ", key \(fingerprint)"
        }
    }
}
