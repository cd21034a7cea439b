/// Operator actions behind `termauth client|user|scope|consent|token`: registration rules live
/// here, not in the command line, so every front end enforces the same ones.
public struct Administration: Sendable {
    let store: any Store
    let settings: Settings
    let clock: any Clock

    /// Registers a client; returns it with its secret, shown this once and never again.
    public func addClient(_ r: ClientRegistration) async throws -> (client: Client, secret: String?) {
        let id = r.id ?? RandomToken.identifier()
        guard (1...128).contains(id.count), id.unicodeScalars.allSatisfy(Self.isIdentifierChar) else {
            throw TermAuthError.invalidArgument("client id must be 1 to 128 characters from A-Z a-z 0-9 . _ ~ -")
        }
        let name = r.name.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, Sanitized.line(name, limit: 100) == name else {
            throw TermAuthError.invalidArgument("client name must be 1 to 100 printable characters")
        }
        let grants = r.grantTypes.reduce(into: [GrantType]()) { if !$0.contains($1) { $0.append($1) } }
        let implemented = Set(TokenEndpoint.supportedGrantTypes + [GrantType.implicit.rawValue])
        for grant in grants where !implemented.contains(grant.rawValue) {
            throw TermAuthError.invalidArgument("grant type \(grant.rawValue) is not supported")
        }
        if r.isPublic && grants.contains(.clientCredentials) {
            throw TermAuthError.invalidArgument("a public client cannot use client_credentials: it has no secret")
        }
        if (grants.contains(.authorizationCode) || grants.contains(.implicit)) && r.redirectURIs.isEmpty {
            throw TermAuthError.invalidArgument("the authorization_code and implicit grants need at least one --redirect-uri")
        }
        for uri in r.redirectURIs { try RedirectURI.validateForRegistration(uri) }
        let known = Set(try await store.scopes().map(\.name))
        for scope in r.scopes where !known.contains(scope) {
            throw TermAuthError.invalidArgument("unknown scope \(scope); add it first with: termauth scope add \(scope) --description ...")
        }
        let secret = r.isPublic ? nil : RandomToken.secret()
        let client = Client(
            id: id, name: name, secret: secret.map(SecretHash.make(for:)), redirectURIs: r.redirectURIs, grantTypes: grants,
            scopes: r.scopes, requirePKCE: r.requirePKCE, allowPlainPKCE: r.allowPlainPKCE, createdAt: clock.now())
        try await store.insertClient(client)
        try await audit(.clientAdded, clientID: id, detail: "grants \(grants.map(\.rawValue).joined(separator: " "))")
        return (client, secret)
    }

    public func resetClientSecret(id: String) async throws -> String {
        guard let client = try await store.client(id: id) else { throw TermAuthError.notFound("client \(id)") }
        guard !client.isPublic else { throw TermAuthError.invalidArgument("client \(id) is public and has no secret") }
        let secret = RandomToken.secret()
        _ = try await store.updateClientSecret(id: id, secret: SecretHash.make(for: secret))
        try await audit(.clientSecretReset, clientID: id)
        return secret
    }

    public func removeClient(id: String) async throws {
        guard try await store.removeClient(id: id) else { throw TermAuthError.notFound("client \(id)") }
        try await audit(.clientRemoved, clientID: id)
    }

    public func addUser(username: String, displayName: String?, password: String) async throws -> User {
        guard (1...64).contains(username.count), username.unicodeScalars.allSatisfy({ !Sanitized.isDangerous($0) && $0 != " " }) else {
            throw TermAuthError.invalidArgument("username must be 1 to 64 printable characters without spaces")
        }
        try Self.checkPassword(password)
        let user = User(
            id: RandomToken.identifier(), username: username, displayName: Sanitized.line(displayName ?? username, limit: 100),
            passwordHash: settings.passwordHasher.hash(password), createdAt: clock.now())
        try await store.insertUser(user)
        try await audit(.userAdded, username: username)
        return user
    }

    public func setPassword(username: String, password: String) async throws {
        guard let user = try await store.user(username: username) else { throw TermAuthError.notFound("user \(username)") }
        try Self.checkPassword(password)
        try await store.updatePassword(userID: user.id, hash: settings.passwordHasher.hash(password))
        try await audit(.passwordChanged, username: username)
    }

    public func removeUser(username: String) async throws {
        guard try await store.removeUser(username: username) else { throw TermAuthError.notFound("user \(username)") }
        try await audit(.userRemoved, username: username)
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
        guard try await store.revokeConsent(userID: user.id, clientID: clientID) else {
            throw TermAuthError.notFound("consent of \(username) for \(clientID)")
        }
        try await audit(.consentRevoked, clientID: clientID, username: username)
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
        let minted = TokenIssuer(settings: settings).mint(
            client: client, userID: userID, scopes: granted, withRefresh: false, now: clock.now(), accessTTL: ttl)
        try await store.insertTokens(minted.records, audit: AuditEvent(
            at: clock.now(), kind: .tokenIssued, clientID: clientID, username: username,
            detail: "issued by operator, scope \"\(granted.string)\"", origin: "cli"))
        return minted.response
    }

    /// Creates the scopes and clients a settings file declares, leaving existing ones alone.
    /// Returns the secrets of confidential clients created now, to be shown once.
    public func applyDeclarations() async throws -> [(clientID: String, secret: String)] {
        for scope in settings.scopes { try await addScope(scope) }
        var created: [(String, String)] = []
        for declared in settings.clients {
            guard let id = declared.id, try await store.client(id: id) == nil else { continue }
            let (_, secret) = try await addClient(declared)
            if let secret { created.append((id, secret)) }
        }
        return created
    }

    static func checkPassword(_ password: String) throws(TermAuthError) {
        guard password.count >= 8 else { throw .invalidArgument("password must be at least 8 characters") }
        guard password.count <= 1024 else { throw .invalidArgument("password must be at most 1024 characters") }
    }

    private static func isIdentifierChar(_ c: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c)
            || c == "." || c == "_" || c == "~" || c == "-"
    }

    private func audit(_ kind: AuditEvent.Kind, clientID: String? = nil, username: String? = nil, detail: String = "") async throws {
        try await store.appendAudit(AuditEvent(at: clock.now(), kind: kind, clientID: clientID, username: username, detail: detail))
    }
}
