/// Proof that a person gave the right password just now. Only `SignIn` makes one, so a front
/// end cannot approve a request for a user it did not authenticate.
public struct SignedInUser: Sendable, Equatable {
    public let user: User
    init(user: User) { self.user = user }
}

/// Password sign-in with lockout, the one path every front end uses (screens, headless approve,
/// the password grant). `maxFailedLogins` failures within `failureWindowSeconds` lock the account
/// for `lockoutSeconds`, right password or not. Unknown user, wrong password and locked account
/// all get the same answer; only the audit log tells them apart.
public struct SignIn: Sendable {
    let store: any Store
    let settings: Settings
    let clock: any Clock

    public func signIn(username: String, password: String, clientID: String? = nil, origin: String? = nil) async throws -> SignedInUser {
        let hasher = settings.passwordHasher
        func refuse(_ detail: String) async throws -> Never {
            try await store.appendAudit(AuditEvent(
                at: clock.now(), kind: .loginFailed, clientID: clientID, username: username, detail: detail, origin: origin))
            throw TermAuthError.invalidCredentials
        }
        guard let user = try await store.user(username: username) else {
            hasher.burn(password)
            try await refuse("unknown username")
        }
        let now = clock.now()
        if let until = user.lockedUntil, until > now {
            hasher.burn(password)
            try await refuse("account locked until \(Timestamp.iso8601(until))")
        }
        guard hasher.verify(password, against: user.passwordHash) else {
            let security = settings.security
            if let lockedUntil = try await store.recordFailedLogin(
                userID: user.id, now: now, limit: security.maxFailedLogins, window: security.failureWindowSeconds,
                lockSeconds: security.lockoutSeconds)
            {
                try await store.appendAudit(AuditEvent(
                    at: now, kind: .accountLocked, clientID: clientID, username: username,
                    detail: "\(security.maxFailedLogins) failures; locked until \(Timestamp.iso8601(lockedUntil))", origin: origin))
            }
            try await refuse("wrong password")
        }
        if user.failedLogins > 0 || user.lockedUntil != nil {
            try await store.resetFailedLogins(userID: user.id)
        }
        try await store.appendAudit(AuditEvent(at: now, kind: .loginSucceeded, clientID: clientID, username: username, origin: origin))
        return SignedInUser(user: user)
    }
}
