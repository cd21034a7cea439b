import Foundation

/// Operator actions behind `termauth client|user|scope|consent|token`: registration rules live
/// here, not in the command line, so every front end enforces the same ones.
public struct Administration: Sendable {
    let store: any ClientStore & UserStore & UserKeyStore & ScopeStore & ConsentStore & TokenStore & AttemptStore
    let settings: Settings
    let clock: any WallClock
    let minter: TokenIssuer

    /// Registers a client; returns it with its secret, shown this once and never again.
    public func addClient(_ r: ClientRegistration) async throws -> (client: Client, secret: String?) {
        let id = r.id ?? RandomToken.identifier()
        let secret = r.isPublic ? nil : RandomToken.secret()
        let client = try await validated(r, id: id, secret: secret.map(SecretHash.make(for:)), createdAt: clock.now())
        try await store.insertClient(
            client, audit: event(.clientAdded, clientID: id, detail: "grants \(client.grantTypes.map(\.rawValue).joined(separator: " "))"))
        return (client, secret)
    }

    /// The registration rules, shared by `addClient` and the settings file's reconciliation.
    private func validated(_ r: ClientRegistration, id: String, secret: SecretHash?, createdAt: Int64) async throws -> Client {
        guard (1...128).contains(id.count), id.unicodeScalars.allSatisfy(Self.isIdentifierChar) else {
            throw TermAuthError.invalidArgument("client id must be 1 to 128 characters from A-Z a-z 0-9 . _ ~ -")
        }
        // A client's own JWT access tokens name it as `sub` (RFC 9068 §2.2), as a person's name the user.
        if try await store.user(id: id) != nil {
            throw TermAuthError.invalidArgument("client id \(id) is a user's subject identifier; choose another")
        }
        for resource in r.resources {
            guard let url = URLComponents(string: resource), url.scheme != nil, url.fragment == nil, !resource.contains(where: \.isWhitespace) else {
                throw TermAuthError.invalidArgument(
                    "resource must be an absolute URI without fragment (RFC 8707): \(Sanitized.line(resource, limit: 100))")
            }
        }
        let name = r.name.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, Sanitized.line(name, limit: 100) == name else {
            throw TermAuthError.invalidArgument("client name must be 1 to 100 printable characters")
        }
        let grants = r.grantTypes.reduce(into: [GrantType]()) { if !$0.contains($1) { $0.append($1) } }
        for grant in grants where !GrantRegistry.implemented.contains(grant) {
            throw TermAuthError.invalidArgument("grant type \(grant.rawValue) is not supported")
        }
        if r.isPublic && grants.contains(.clientCredentials) {
            throw TermAuthError.invalidArgument("a public client cannot use client_credentials: it has no secret")
        }
        if r.isPublic && grants.contains(.password) {
            // Anyone holding the public client id could then try passwords at /token (RFC 9700 §2.4).
            throw TermAuthError.invalidArgument(
                "a public client cannot use the password grant: it could not be told apart from anyone guessing passwords")
        }
        if (grants.contains(.authorizationCode) || grants.contains(.implicit)) && r.redirectURIs.isEmpty {
            throw TermAuthError.invalidArgument("the authorization_code and implicit grants need at least one --redirect-uri")
        }
        for uri in r.redirectURIs { try RedirectURI.validateForRegistration(uri) }
        let known = Set(try await store.scopes().map(\.name))
        for scope in r.scopes where !known.contains(scope) {
            throw TermAuthError.invalidArgument("unknown scope \(scope); add it first with: termauth scope add \(scope) --description ...")
        }
        var client = Client(
            id: id, name: name, secret: secret, redirectURIs: r.redirectURIs, grantTypes: grants,
            scopes: r.scopes, requirePKCE: r.requirePKCE, allowPlainPKCE: r.allowPlainPKCE, mayIntrospect: r.mayIntrospect,
            createdAt: createdAt)
        client.idTokenAlgorithm = r.idTokenAlgorithm
        client.accessTokenFormat = r.accessTokenFormat
        client.resources = r.resources
        return client
    }

    public func resetClientSecret(id: String) async throws -> String {
        guard let client = try await store.client(id: id) else { throw TermAuthError.notFound("client \(id)") }
        guard !client.isPublic else { throw TermAuthError.invalidArgument("client \(id) is public and has no secret") }
        let secret = RandomToken.secret()
        _ = try await store.updateClientSecret(id: id, secret: SecretHash.make(for: secret), audit: event(.clientSecretReset, clientID: id))
        return secret
    }

    public func removeClient(id: String) async throws {
        guard try await store.removeClient(id: id, audit: event(.clientRemoved, clientID: id)) else { throw TermAuthError.notFound("client \(id)") }
    }

    public func addUser(
        username: String, displayName: String?, password: String, isOperator: Bool = false, email: String? = nil, emailVerified: Bool = false
    ) async throws -> User {
        guard (1...64).contains(username.count), username.unicodeScalars.allSatisfy({ !Sanitized.isDangerous($0) && $0 != " " }) else {
            throw TermAuthError.invalidArgument("username must be 1 to 64 printable characters without spaces")
        }
        try Self.checkPassword(password)
        if let email { try Self.checkEmail(email) }
        // `sub` is the id: never the username, and never a client's id (see `validated`).
        var id = RandomToken.identifier()
        while try await store.client(id: id) != nil { id = RandomToken.identifier() }
        let user = User(
            id: id, username: username, displayName: Sanitized.line(displayName ?? username, limit: 100),
            passwordHash: settings.passwordHasher.hash(password), createdAt: clock.now(), isOperator: isOperator,
            email: email, emailVerified: email != nil && emailVerified)
        try await store.insertUser(user, audit: event(.userAdded, username: username, detail: isOperator ? "operator" : ""))
        return user
    }

    public func setPassword(username: String, password: String) async throws {
        guard let user = try await store.user(username: username) else { throw TermAuthError.notFound("user \(username)") }
        try Self.checkPassword(password)
        try await store.updatePassword(
            userID: user.id, hash: settings.passwordHasher.hash(password), audit: event(.passwordChanged, username: username))
        // A new password also lifts a lock: the operator vouches for the person now.
        try await store.updateAttemptCounter(key: AttemptKey.signInUser(username), audit: { _ in nil }) { _ in (nil, ()) }
    }

    public func removeUser(username: String) async throws {
        guard try await store.removeUser(username: username, audit: event(.userRemoved, username: username)) else {
            throw TermAuthError.notFound("user \(username)")
        }
    }

    public func addScope(_ scope: Scope) async throws {
        guard (try? ScopeSet(parsing: scope.name))?.names == [scope.name] else {
            throw TermAuthError.invalidArgument("scope name must be printable ASCII without spaces, quotes or backslashes")
        }
        guard !scope.description.isEmpty else { throw TermAuthError.invalidArgument("a scope needs a --description") }
        try await store.saveScope(scope)
    }

    public func revokeConsent(username: String, clientID: String) async throws {
        guard let user = try await store.user(username: username) else { throw TermAuthError.notFound("user \(username)") }
        let event = AuditEvent(at: clock.now(), kind: .consentRevoked, clientID: clientID, username: username)
        let revoked = try await store.revokeConsent(userID: user.id, clientID: clientID) { event.with(detail: "\($0) tokens revoked with it") }
        guard revoked != nil else { throw TermAuthError.notFound("consent of \(username) for \(clientID)") }
    }

    /// `termauth token issue`: an operator mints an access token directly, bypassing any grant.
    public func issueToken(clientID: String, username: String?, scopes: ScopeSet, ttl: Int64?) async throws -> TokenResponse {
        guard let client = try await store.client(id: clientID) else { throw TermAuthError.notFound("client \(clientID)") }
        var userID: String?
        if let username {
            guard let user = try await store.user(username: username) else { throw TermAuthError.notFound("user \(username)") }
            userID = user.id
        }
        let granted = try await ScopePolicy(store: store).resolve(requested: scopes.isEmpty ? nil : scopes.string, for: client)
        if let ttl, !(1...31_536_000).contains(ttl) { throw TermAuthError.invalidArgument("--ttl must be 1 to 31536000 seconds") }
        if client.accessTokenFormat == .jwt {
            // A JWT names its issuer, which only the settings can tell this command (the server may
            // have been started with --issuer or --port), and it must expire before its key is unpublished.
            guard settings.issuer != nil else {
                throw TermAuthError.invalidArgument(
                    "client \(clientID) gets JWT access tokens, which name their issuer: set issuer in the settings file (--config)")
            }
            if let ttl, ttl > settings.longestSignedLifetime {
                throw TermAuthError.invalidArgument(
                    "a JWT access token lives at most \(settings.longestSignedLifetime) seconds (lifetimes.access_token, lifetimes.id_token)")
            }
        }
        let prepared = try await minter.prepare(
            client: client, subject: .user(userID), scopes: granted, withRefresh: false, now: clock.now(), accessTTL: ttl)
        try await store.insertTokens(
            prepared.records,
            audit: AuditEvent(
                at: clock.now(), kind: .tokenIssued, clientID: clientID, username: username,
                detail: "issued by operator, scope \"\(granted.string)\"", origin: "cli"))
        return try minter.response(for: prepared)
    }

    /// What applying a settings file did to its clients.
    public struct DeclarationReport: Sendable {
        /// Confidential clients created now, with the secret to show once.
        public var created: [(clientID: String, secret: String?)] = []
        /// Existing clients brought in line with the file, and what changed.
        public var updated: [(clientID: String, changes: [String])] = []
        /// Differences the file cannot settle by itself (a client turning public or confidential).
        public var conflicts: [String] = []
    }

    /// Creates the scopes and clients a settings file declares, and brings clients that exist
    /// with other settings in line with the file: the file is the source of truth, and a
    /// difference is never silently ignored.
    public func applyDeclarations() async throws -> DeclarationReport {
        for scope in settings.scopes { try await addScope(scope) }
        var report = DeclarationReport()
        for declared in settings.clients {
            guard let id = declared.id else { continue }
            guard let existing = try await store.freshClient(id: id) else {
                let (client, secret) = try await addClient(declared)
                report.created.append((client.id, secret))
                continue
            }
            if existing.isPublic != declared.isPublic {
                let now = declared.isPublic ? "public" : "confidential"
                report.conflicts.append(
                    "client \(id) is \(existing.isPublic ? "public" : "confidential") in the database but \(now) in the settings file; left as it is (remove it with termauth client remove \(id) to recreate it)"
                )
            }
            var wanted = try await validated(declared, id: id, secret: existing.secret, createdAt: existing.createdAt)
            if existing.isPublic != declared.isPublic { wanted.secret = existing.secret }
            let changes = Self.differences(existing, wanted)
            guard !changes.isEmpty else { continue }
            _ = try await store.updateClient(
                wanted, audit: event(.clientUpdated, clientID: id, detail: "from the settings file: \(changes.joined(separator: ", "))"))
            report.updated.append((id, changes))
        }
        return report
    }

    private static func differences(_ a: Client, _ b: Client) -> [String] {
        var changed: [String] = []
        if a.name != b.name { changed.append("name") }
        if a.redirectURIs != b.redirectURIs { changed.append("redirect_uris") }
        if a.grantTypes != b.grantTypes { changed.append("grants") }
        if a.scopes != b.scopes { changed.append("scopes") }
        if a.requirePKCE != b.requirePKCE { changed.append("require_pkce") }
        if a.mayIntrospect != b.mayIntrospect { changed.append("introspect") }
        if a.idTokenAlgorithm != b.idTokenAlgorithm { changed.append("id_token_alg") }
        if a.accessTokenFormat != b.accessTokenFormat { changed.append("access_token_format") }
        if a.resources != b.resources { changed.append("resources") }
        return changed
    }

    /// When the user's sign-ins are locked, the lock's end.
    public func lockedUntil(username: String) async throws -> Int64? {
        guard let counter = try await store.attemptCounter(key: AttemptKey.signInUser(username)) else { return nil }
        return AttemptLimiter.refusal(counter, rule: settings.security.signInUserRule, now: clock.now())
    }

    static func checkPassword(_ password: String) throws(TermAuthError) {
        guard password.count >= 8 else { throw .invalidArgument("password must be at least 8 characters") }
        guard password.count <= 1024 else { throw .invalidArgument("password must be at most 1024 characters") }
    }

    private static func isIdentifierChar(_ c: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c)
            || c == "." || c == "_" || c == "~" || c == "-"
    }

    func event(_ kind: AuditEvent.Kind, clientID: String? = nil, username: String? = nil, detail: String = "") -> AuditEvent {
        AuditEvent(at: clock.now(), kind: kind, clientID: clientID, username: username, detail: detail)
    }
}
