/// Operator actions on users beyond their passwords: the operator mark and the SSH keys that
/// sign them in (`termauth user set`, `termauth user key`).
extension Administration {
    /// Changes what is given; nil leaves a field as it is.
    public func updateUser(
        username: String, displayName: String? = nil, isOperator: Bool? = nil, email: String? = nil, emailVerified: Bool? = nil
    ) async throws -> User {
        guard var user = try await store.user(username: username) else { throw TermAuthError.notFound("user \(username)") }
        var changes: [String] = []
        if let displayName {
            user.displayName = Sanitized.line(displayName, limit: 100)
            changes.append("display name")
        }
        if let isOperator {
            user.isOperator = isOperator
            changes.append(isOperator ? "operator" : "not operator")
        }
        if let email {
            // An empty address removes it.
            if !email.isEmpty { try Self.checkEmail(email) }
            if user.email != email { user.emailVerified = false }
            user.email = email.isEmpty ? nil : email
            changes.append(email.isEmpty ? "email removed" : "email")
        }
        if let emailVerified {
            guard user.email != nil else { throw TermAuthError.invalidArgument("\(username) has no email to verify; set one with --email") }
            user.emailVerified = emailVerified
            changes.append(emailVerified ? "email verified" : "email not verified")
        }
        guard !changes.isEmpty else { throw TermAuthError.invalidArgument("nothing to change; see termauth user set --help") }
        user.updatedAt = clock.now()
        guard try await store.updateUser(user, audit: event(.userUpdated, username: username, detail: changes.joined(separator: ", "))) else {
            throw TermAuthError.notFound("user \(username)")
        }
        return user
    }

    /// An address as people write it: one `@` with text on both sides, no blanks or controls,
    /// at most 254 bytes (RFC 5321 §4.5.3.1.3). Whether it reaches anyone is the operator's to verify.
    static func checkEmail(_ email: String) throws {
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard email.utf8.count <= 254, parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasSuffix("."),
            email.unicodeScalars.allSatisfy({ !Sanitized.isDangerous($0) && !$0.properties.isWhitespace })
        else { throw TermAuthError.invalidArgument("not an email address: \(Sanitized.line(email, limit: 100))") }
    }

    /// Registers an OpenSSH public key line for a user; returns the stored key.
    public func addUserKey(username: String, line: String) async throws -> UserKey {
        guard let user = try await store.user(username: username) else { throw TermAuthError.notFound("user \(username)") }
        let parsed = try SSHPublicKey(line: line)
        let key = UserKey(
            userID: user.id, fingerprint: parsed.fingerprint, type: parsed.type, publicKey: parsed.openSSH, comment: parsed.comment,
            createdAt: clock.now())
        do {
            try await store.insertUserKey(key, audit: event(.userKeyAdded, username: username, detail: "\(key.type) \(key.fingerprint)"))
        } catch TermAuthError.duplicate {
            throw TermAuthError.invalidArgument("\(username) already has the key \(key.fingerprint)")
        }
        return key
    }

    public func userKeys(username: String) async throws -> [UserKey] {
        guard let user = try await store.user(username: username) else { throw TermAuthError.notFound("user \(username)") }
        return try await store.userKeys(userID: user.id)
    }

    public func removeUserKey(username: String, fingerprint: String) async throws {
        guard let user = try await store.user(username: username) else { throw TermAuthError.notFound("user \(username)") }
        let removed = try await store.removeUserKey(
            userID: user.id, fingerprint: fingerprint, audit: event(.userKeyRemoved, username: username, detail: fingerprint))
        guard removed else { throw TermAuthError.notFound("key \(fingerprint) of \(username)") }
    }
}
