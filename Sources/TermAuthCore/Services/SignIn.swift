/// Proof that a person gave the right password just now. Only `SignIn` makes one, so a front
/// end cannot approve a request for a user it did not authenticate.
public struct SignedInUser: Sendable, Equatable {
    public let user: User
    init(user: User) { self.user = user }
}

/// Password sign-in with lockout: after `maxFailedLogins` consecutive failures the account is
/// refused, right password or not, for `lockoutSeconds`.
public struct SignIn: Sendable {
    let store: any Store
    let settings: Settings
    let clock: any Clock

    public func signIn(username: String, password: String, clientID: String? = nil) async throws -> SignedInUser {
        let hasher = settings.passwordHasher
        guard let user = try await store.user(username: username) else {
            hasher.burn(password)
            try await audit(.loginFailed, clientID: clientID, username: username, detail: "unknown username")
            throw TermAuthError.invalidCredentials
        }
        let now = clock.now()
        if let until = user.lockedUntil, until > now {
            try await audit(.loginFailed, clientID: clientID, username: username, detail: "account locked")
            throw TermAuthError.accountLocked(until: until)
        }
        guard hasher.verify(password, against: user.passwordHash) else {
            let lockedUntil = try await store.recordFailedLogin(
                userID: user.id, now: now, limit: settings.security.maxFailedLogins, lockSeconds: settings.security.lockoutSeconds)
            try await audit(.loginFailed, clientID: clientID, username: username, detail: "wrong password")
            if let lockedUntil {
                try await audit(.accountLocked, clientID: clientID, username: username, detail: "locked until \(Timestamp.iso8601(lockedUntil))")
                throw TermAuthError.accountLocked(until: lockedUntil)
            }
            throw TermAuthError.invalidCredentials
        }
        if user.failedLogins > 0 || user.lockedUntil != nil {
            try await store.resetFailedLogins(userID: user.id)
        }
        try await audit(.loginSucceeded, clientID: clientID, username: username)
        return SignedInUser(user: user)
    }

    private func audit(_ kind: AuditEvent.Kind, clientID: String?, username: String, detail: String = "") async throws {
        try await store.appendAudit(AuditEvent(at: clock.now(), kind: kind, clientID: clientID, username: username, detail: detail))
    }
}
