import Foundation
import Logging
import PostgresNIO

/// The store for several server replicas: one PostgreSQL database through a connection pool.
/// Each method is one transaction (or one statement, which PostgreSQL commits on its own),
/// committed before it returns. Races between replicas are settled by the database: every
/// "only once" change is an `UPDATE ... WHERE <still unchanged> RETURNING`, which PostgreSQL
/// serialises on the row, so exactly one caller sees its row come back.
public final class PostgresStore: Store {
    public let location: PostgresLocation
    private let client: PostgresClient
    private let runner: Task<Void, Never>
    private let logger: Logger
    /// A caller waiting longer than this for a connection gets `.storage` (503): while the
    /// database restarts, requests fail fast instead of piling up behind the pool.
    private let deadline: Duration
    private let clientCache = ShortLivedCache<String, Client?>(lifetimeMilliseconds: 1000)
    private let scopeNameCache = ShortLivedCache<Int, Set<String>>(lifetimeMilliseconds: 1000)

    private init(location: PostgresLocation, maximumConnections: Int, deadline: Duration, logger: Logger) {
        self.location = location
        self.deadline = deadline
        self.logger = logger
        let client = PostgresClient(configuration: location.clientConfiguration(maximumConnections: maximumConnections), backgroundLogger: logger)
        self.client = client
        runner = Task { await client.run() }
    }

    /// Connects and brings the schema up to date (refusing one newer than this build knows).
    public static func connect(
        _ location: PostgresLocation, maximumConnections: Int = 16, deadline: Duration = .seconds(5),
        logger: Logger = PostgresStore.defaultLogger
    ) async throws -> PostgresStore {
        try await probe(location)
        let store = PostgresStore(location: location, maximumConnections: maximumConnections, deadline: deadline, logger: logger)
        do {
            _ = try await store.migrate()
        } catch {
            store.close()
            throw error
        }
        return store
    }

    /// One plain connection first: the pool would retry a wrong port, user or database quietly
    /// for a minute, where this says at once what PostgreSQL (or the network) answered.
    private static func probe(_ location: PostgresLocation) async throws {
        do {
            let connection = try await PostgresConnection.connect(configuration: try location.connectionConfiguration(), id: 0, logger: silent)
            try? await connection.close()
        } catch let error as PSQLError {
            throw TermAuthError.storage("\(location.redacted): \(reason(error))")
        } catch {
            throw TermAuthError.storage("\(location.redacted): \(error)")
        }
    }

    /// What went wrong, in PostgreSQL's words or the socket's.
    static func reason(_ error: PSQLError) -> String {
        if error.code == .sslUnsupported { return "the server does not offer TLS, which sslmode=require asks for" }
        if let message = error.serverInfo?[.message] { return message }
        if let underlying = error.underlying {
            let text = "\(underlying)"
            if text.contains("refused") { return "connection refused" }
            if let range = text.range(of: "error: ") { return String(text[range.upperBound...].prefix(120)) }
            return String(text.prefix(160))
        }
        return "\(error.code)"
    }

    deinit { runner.cancel() }

    /// Closes the pool's connections; the store is unusable afterwards.
    public func close() { runner.cancel() }

    // MARK: schema

    /// The schema version in the database and the newest this build knows.
    public func schemaVersion() async throws -> (current: Int, latest: Int) {
        let current = try await run { c in
            let exists = try await c.rows("SELECT to_regclass('termauth_schema') IS NOT NULL AS present")
            guard try exists.first?.value("present", as: Bool.self) == true else { return 0 }
            return try await Self.currentVersion(c)
        }
        return (current, PostgresSchema.latestVersion)
    }

    /// Applies the migrations the database lacks, under an advisory lock so replicas starting
    /// together take turns. Returns the versions applied now.
    @discardableResult
    public func migrate() async throws -> [Int] {
        let schema = location.schema
        let redacted = location.redacted
        // One lock per schema: installations sharing a database do not wait for each other.
        let lockName = "termauth:" + (schema ?? "default")
        return try await transaction(deadline: .seconds(60)) { c in
            try await c.rows("SELECT pg_advisory_xact_lock(hashtext(\(lockName)))")
            if let schema { try await c.rows("CREATE SCHEMA IF NOT EXISTS \(unescaped: schema)") }
            try await c.rows("""
                CREATE TABLE IF NOT EXISTS termauth_schema(
                    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)
                """)
            let current = try await Self.currentVersion(c)
            guard current <= PostgresSchema.latestVersion else {
                throw TermAuthError.configuration(
                    "\(redacted): the database schema is at version \(current), newer than this termauth knows (\(PostgresSchema.latestVersion)); run a newer termauth")
            }
            var applied: [Int] = []
            for migration in PostgresSchema.migrations where migration.version > current {
                for statement in migration.sql { try await c.rows(PostgresQuery(unsafeSQL: statement)) }
                try await c.rows("""
                    INSERT INTO termauth_schema(version, name, applied_at)
                    VALUES (\(Int32(migration.version)), \(migration.name), \(Timestamp.now()))
                    """)
                applied.append(migration.version)
            }
            return applied
        }
    }

    private static func currentVersion(_ c: PostgresConnection) async throws -> Int {
        Int(try await c.rows("SELECT coalesce(max(version), 0) AS v FROM termauth_schema").first?.value("v", as: Int32.self) ?? 0)
    }

    // MARK: running statements

    /// One statement (or several that need no atomicity), on a pooled connection.
    private func run<T: Sendable>(
        _ what: String = "", deadline: Duration? = nil, _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        let client = self.client
        let deadline = deadline ?? self.deadline
        let logger = self.logger
        do {
            return try await Deadline.run(within: deadline) {
                try await client.withConnection { connection in try await body(connection) }
            }
        } catch {
            throw Self.mapped(error, what: what, logger: logger)
        }
    }

    /// Without the usual deadline: for bulk work such as `SQLiteToPostgres`.
    func inTransaction<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        try await transaction(deadline: .seconds(86_400), body)
    }

    private func transaction<T: Sendable>(
        _ what: String = "", deadline: Duration? = nil, _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        let logger = self.logger
        return try await run(what, deadline: deadline) { c in
            // A transaction PostgreSQL chose as a deadlock victim, or could not serialise, was
            // rolled back whole, so running it again is safe; the body re-reads what it decides on.
            for attempt in 1... {
                try await c.query("BEGIN", logger: logger)
                do {
                    let value = try await body(c)
                    try await c.query("COMMIT", logger: logger)
                    return value
                } catch {
                    _ = try? await c.query("ROLLBACK", logger: logger)
                    guard attempt < 3, Self.isRetryable(error) else { throw error }
                    logger.info("PostgreSQL: transaction retried after \(Self.sqlState(error) ?? "?")")
                }
            }
            fatalError("unreachable")
        }
    }

    private static func sqlState(_ error: any Error) -> String? { (error as? PSQLError)?.serverInfo?[.sqlState] }

    /// deadlock_detected and serialization_failure.
    private static func isRetryable(_ error: any Error) -> Bool { ["40P01", "40001"].contains(sqlState(error) ?? "") }

    /// Engine failures become the core's errors: `.duplicate` for a unique key, `.storage`
    /// (503 `temporarily_unavailable`) for anything else; the caller never sees PostgresNIO.
    static func mapped(_ error: any Error, what: String, logger: Logger) -> any Error {
        if let error = error as? TermAuthError { return error }
        if let error = error as? PSQLError {
            if sqlState(error) == "23505" { return TermAuthError.duplicate(what) }
            let message = reason(error)
            logger.warning("PostgreSQL: \(message)")
            return TermAuthError.storage("PostgreSQL: \(message)")
        }
        if error is CancellationError { return TermAuthError.storage("PostgreSQL: cancelled") }
        logger.warning("PostgreSQL: \(String(reflecting: error))")
        return TermAuthError.storage("PostgreSQL: \(error)")
    }

    private func one<T: Sendable>(_ query: PostgresQuery, _ decode: @escaping @Sendable (PGRow) throws -> T) async throws -> T? {
        try await run { c in try await c.rows(query).first.map(decode) }
    }

    private func all<T: Sendable>(_ query: PostgresQuery, _ decode: @escaping @Sendable (PGRow) throws -> T) async throws -> [T] {
        try await run { c in try await c.rows(query).map(decode) }
    }

    /// How many rows a statement with `RETURNING 1` touched.
    private func count(_ query: PostgresQuery) async throws -> Int {
        try await run { c in try await c.rows(query).count }
    }

    // MARK: clients

    public func insertClient(_ client: Client) async throws {
        defer { clientCache.invalidate(client.id) }
        try await run("client \(client.id)") { c in
            try await c.rows("""
                INSERT INTO clients(id, name, secret, redirect_uris, grant_types, scopes, require_pkce, allow_plain_pkce, created_at, may_introspect)
                VALUES (\(client.id), \(client.name), \(client.secret?.encoded), \(client.redirectURIs.joined(separator: "\n")),
                    \(client.grantTypes.map(\.rawValue).joined(separator: " ")), \(client.scopes.joined(separator: " ")),
                    \(client.requirePKCE), \(client.allowPlainPKCE), \(client.createdAt), \(client.mayIntrospect))
                """)
        }
    }

    public func updateClient(_ client: Client) async throws -> Bool {
        defer { clientCache.invalidate(client.id) }
        return try await count("""
            UPDATE clients SET name = \(client.name), redirect_uris = \(client.redirectURIs.joined(separator: "\n")),
                grant_types = \(client.grantTypes.map(\.rawValue).joined(separator: " ")), scopes = \(client.scopes.joined(separator: " ")),
                require_pkce = \(client.requirePKCE), allow_plain_pkce = \(client.allowPlainPKCE), may_introspect = \(client.mayIntrospect)
            WHERE id = \(client.id)
            RETURNING 1
            """) > 0
    }

    public func client(id: String) async throws -> Client? {
        try await clientCache.value(id) { try await freshClient(id: id) }
    }

    public func freshClient(id: String) async throws -> Client? {
        clientCache.invalidate(id)
        return try await one("SELECT * FROM clients WHERE id = \(id)", Client.init(pg:))
    }

    public func clients() async throws -> [Client] {
        try await all("SELECT * FROM clients ORDER BY id", Client.init(pg:))
    }

    public func removeClient(id: String) async throws -> Bool {
        defer { clientCache.invalidate(id) }
        return try await transaction { c in
            guard try await c.rows("DELETE FROM clients WHERE id = \(id) RETURNING 1").count > 0 else { return false }
            for table in ["tokens", "codes", "consents", "requests"] {
                try await c.rows("DELETE FROM \(unescaped: table) WHERE client_id = \(id)")
            }
            return true
        }
    }

    public func updateClientSecret(id: String, secret: SecretHash) async throws -> Bool {
        defer { clientCache.invalidate(id) }
        return try await count("UPDATE clients SET secret = \(secret.encoded) WHERE id = \(id) AND secret IS NOT NULL RETURNING 1") > 0
    }

    // MARK: users

    public func insertUser(_ user: User) async throws {
        try await run("user \(user.username)") { c in
            try await c.rows("""
                INSERT INTO users(id, username, display_name, password_hash, created_at)
                VALUES (\(user.id), \(user.username), \(user.displayName), \(user.passwordHash), \(user.createdAt))
                """)
        }
    }

    public func user(username: String) async throws -> User? {
        try await one("SELECT * FROM users WHERE username = \(username)", User.init(pg:))
    }

    public func user(id: String) async throws -> User? {
        try await one("SELECT * FROM users WHERE id = \(id)", User.init(pg:))
    }

    public func users() async throws -> [User] {
        try await all("SELECT * FROM users ORDER BY username", User.init(pg:))
    }

    public func removeUser(username: String) async throws -> Bool {
        try await transaction { c in
            guard let id = try await c.rows("DELETE FROM users WHERE username = \(username) RETURNING id").first?.value("id", as: String.self) else {
                return false
            }
            for table in ["tokens", "codes", "consents"] {
                try await c.rows("DELETE FROM \(unescaped: table) WHERE user_id = \(id)")
            }
            return true
        }
    }

    public func updatePassword(userID: String, hash: String) async throws {
        try await run { c in
            try await c.rows("UPDATE users SET password_hash = \(hash) WHERE id = \(userID)")
        }
    }

    // MARK: scopes

    public func saveScope(_ scope: Scope) async throws {
        defer { scopeNameCache.invalidateAll() }
        let translations = String(decoding: try JSONEncoder().encode(scope.translations), as: UTF8.self)
        try await run { c in
            try await c.rows("""
                INSERT INTO scopes(name, description, translations, required)
                VALUES (\(scope.name), \(scope.description), \(translations), \(scope.required))
                ON CONFLICT (name) DO UPDATE SET description = EXCLUDED.description,
                    translations = EXCLUDED.translations, required = EXCLUDED.required
                """)
        }
    }

    public func scopes() async throws -> [Scope] {
        try await all("SELECT * FROM scopes ORDER BY name", Scope.init(pg:))
    }

    public func scopeNames() async throws -> Set<String> {
        try await scopeNameCache.value(0) {
            Set(try await all("SELECT name FROM scopes") { try $0.value("name", as: String.self) })
        }
    }

    public func removeScope(name: String) async throws -> Bool {
        defer { scopeNameCache.invalidateAll() }
        return try await count("DELETE FROM scopes WHERE name = \(name) RETURNING 1") > 0
    }

    // MARK: parked requests

    public func insertRequest(
        _ r: AuthorizationRequest, approvalCode: TokenHash, handle: TokenHash, audit: AuditEvent?,
        admit: @escaping @Sendable (ParkedCounts) throws -> Void
    ) async throws {
        try await transaction("approval code") { c in
            // Replicas park one at a time, so two of them cannot both take the last place.
            try await c.rows("SELECT pg_advisory_xact_lock(hashtext('termauth:park'))")
            try admit(try await Self.parkedCounts(c, clientID: r.clientID, source: r.source, now: r.createdAt))
            try await c.rows("""
                INSERT INTO requests(id, approval_hash, handle_hash, client_id, redirect_uri, response_type, scope, state,
                    code_challenge, code_challenge_method, origin, created_at, expires_at, status, poll_interval, redirect_uri_sent, source)
                VALUES (\(r.id), \(approvalCode.bytes), \(handle.bytes), \(r.clientID), \(r.redirectURI), \(r.responseType.rawValue),
                    \(r.scopes.string), \(r.state), \(r.codeChallenge), \(r.codeChallengeMethod?.rawValue), \(r.origin), \(r.createdAt),
                    \(r.expiresAt), \(r.status.rawValue), \(r.pollInterval), \(r.redirectURISent), \(r.source))
                """)
            if let audit { try await Self.insert(audit, c) }
        }
    }

    public func parkedCount(_ scope: ParkedScope, now: Int64, upTo limit: Int) async throws -> Int {
        let limit = Int64(limit)
        let query: PostgresQuery
        switch scope {
        case .client(let id):
            query = "SELECT count(*) AS n FROM (SELECT 1 FROM requests WHERE status = 'pending' AND expires_at > \(now) AND client_id = \(id) LIMIT \(limit)) AS p"
        case .source(let source):
            query = "SELECT count(*) AS n FROM (SELECT 1 FROM requests WHERE status = 'pending' AND expires_at > \(now) AND source = \(source) LIMIT \(limit)) AS p"
        case .all:
            query = "SELECT count(*) AS n FROM (SELECT 1 FROM requests WHERE status = 'pending' AND expires_at > \(now) LIMIT \(limit)) AS p"
        }
        return Int(try await one(query) { try $0.value("n", as: Int64.self) } ?? 0)
    }

    private static func parkedCounts(_ c: PostgresConnection, clientID: String, source: String, now: Int64) async throws -> ParkedCounts {
        let row = try await c.rows("""
            SELECT count(*) FILTER (WHERE client_id = \(clientID)) AS client, count(*) FILTER (WHERE source = \(source)) AS source,
                count(*) AS total
            FROM requests WHERE status = 'pending' AND expires_at > \(now)
            """).first
        return ParkedCounts(
            client: Int(try row?.value("client", as: Int64.self) ?? 0), source: Int(try row?.value("source", as: Int64.self) ?? 0),
            total: Int(try row?.value("total", as: Int64.self) ?? 0))
    }

    public func request(approvalCode: TokenHash) async throws -> AuthorizationRequest? {
        try await one("SELECT * FROM requests WHERE approval_hash = \(approvalCode.bytes)", AuthorizationRequest.init(pg:))
    }

    public func request(handle: TokenHash) async throws -> AuthorizationRequest? {
        try await one("SELECT * FROM requests WHERE handle_hash = \(handle.bytes)", AuthorizationRequest.init(pg:))
    }

    public func request(id: String) async throws -> AuthorizationRequest? {
        try await one("SELECT * FROM requests WHERE id = \(id)", AuthorizationRequest.init(pg:))
    }

    public func pendingRequests(now: Int64) async throws -> [AuthorizationRequest] {
        try await all(
            "SELECT * FROM requests WHERE status = 'pending' AND expires_at > \(now) ORDER BY created_at, id", AuthorizationRequest.init(pg:))
    }

    public func decideRequest(id: String, status: AuthorizationRequest.Status, userID: String?, grantedScopes: ScopeSet?, now: Int64) async throws -> Bool {
        try await count("""
            UPDATE requests SET status = \(status.rawValue), user_id = \(userID), granted_scope = \(grantedScopes?.string), decided_at = \(now)
            WHERE id = \(id) AND status = 'pending' AND expires_at > \(now)
            RETURNING 1
            """) > 0
    }

    public func deliverRequest(id: String, code: AuthorizationCode?, tokens: [Token]) async throws -> Bool {
        try await transaction { c in
            let rows = try await c.rows("UPDATE requests SET status = 'delivered' WHERE id = \(id) AND status IN ('approved', 'denied') RETURNING 1")
            guard !rows.isEmpty else { return false }
            if let code { try await Self.insert(code, c) }
            try await Self.insert(tokens, c)
            return true
        }
    }

    public func closeExpiredRequest(id: String, now: Int64) async throws -> Bool {
        try await count("""
            UPDATE requests SET status = 'delivered', decided_at = \(now)
            WHERE id = \(id) AND status = 'pending' AND expires_at <= \(now)
            RETURNING 1
            """) > 0
    }

    public func recordDevicePoll(id: String, now: Int64) async throws -> DevicePoll {
        try await transaction { c in
            // FOR UPDATE: two replicas answering one device's polls see each other's poll times.
            guard let row = try await c.rows("SELECT poll_interval, last_polled_at FROM requests WHERE id = \(id) FOR UPDATE").first else {
                return .inTime
            }
            let interval: Int64 = try row.value("poll_interval")
            let last: Int64? = try row.value("last_polled_at")
            if let last, now - last < interval {
                try await c.rows("UPDATE requests SET poll_interval = \(interval + 5), last_polled_at = \(now) WHERE id = \(id)")
                return .slowDown(interval: interval + 5)
            }
            try await c.rows("UPDATE requests SET last_polled_at = \(now) WHERE id = \(id)")
            return .inTime
        }
    }

    // MARK: codes

    private static func insert(_ code: AuthorizationCode, _ c: PostgresConnection) async throws {
        try await c.rows("""
            INSERT INTO codes(hash, client_id, user_id, redirect_uri, scope, code_challenge, code_challenge_method, issued_at, expires_at)
            VALUES (\(code.hash.bytes), \(code.clientID), \(code.userID), \(code.redirectURI), \(code.scopes.string), \(code.codeChallenge),
                \(code.codeChallengeMethod?.rawValue), \(code.issuedAt), \(code.expiresAt))
            """)
    }

    public func code(hash: TokenHash) async throws -> AuthorizationCode? {
        try await one("SELECT * FROM codes WHERE hash = \(hash.bytes)", AuthorizationCode.init(pg:))
    }

    public func redeemCode(hash: TokenHash, now: Int64, issuing tokens: [Token], audit: AuditEvent?) async throws -> CodeRedemption {
        try await transaction { c in
            try await Self.serialise(on: hash, c)
            let won = try await c.rows("UPDATE codes SET redeemed_at = \(now) WHERE hash = \(hash.bytes) AND redeemed_at IS NULL RETURNING 1")
            if !won.isEmpty {
                try await Self.insert(tokens, c)
                if let audit { try await Self.insert(audit, c) }
                return .redeemed
            }
            guard try await !c.rows("SELECT 1 FROM codes WHERE hash = \(hash.bytes)").isEmpty else { return .unknown }
            let revoked = try await c.rows("""
                UPDATE tokens SET revoked = TRUE WHERE hash IN (
                    SELECT hash FROM tokens WHERE code_hash = \(hash.bytes) AND NOT revoked ORDER BY hash FOR UPDATE)
                RETURNING 1
                """)
            return .reused(revokedTokens: revoked.count)
        }
    }

    // MARK: tokens

    /// All of them in one multi-row INSERT: one round trip however many tokens a grant issues.
    private static func insert(_ tokens: [Token], _ c: PostgresConnection) async throws {
        guard !tokens.isEmpty else { return }
        var binds = PostgresBindings(capacity: tokens.count * 11)
        var rows: [String] = []
        for t in tokens {
            let first = binds.count
            rows.append("(" + (1...11).map { "$\(first + $0)" }.joined(separator: ", ") + ")")
            try binds.append(t)
        }
        try await c.rows(PostgresQuery(
            unsafeSQL: """
                INSERT INTO tokens(hash, kind, client_id, user_id, scope, issued_at, expires_at, family, code_hash, revoked, used)
                VALUES \(rows.joined(separator: ", "))
                """,
            binds: binds))
    }

    public func insertTokens(_ tokens: [Token], audit: AuditEvent?) async throws {
        if let audit, tokens.count == 1, let token = tokens.first {
            // The common case (client credentials, a device's token): atomic without BEGIN/COMMIT.
            try await run { c in try await c.rows(PostgresStatements.InsertTokenWithAudit(token: token, audit: audit)) }
            return
        }
        try await transaction { c in
            try await Self.insert(tokens, c)
            if let audit { try await Self.insert(audit, c) }
        }
    }

    public func token(hash: TokenHash) async throws -> Token? {
        try await run { c in try await c.rows(PostgresStatements.TokenByHash(hash: hash)).first.map { try Token(pg: $0.makeRandomAccess()) } }
    }

    public func rotateRefreshToken(hash: TokenHash, now: Int64, issuing tokens: [Token], audit: AuditEvent?) async throws -> RefreshRotation {
        try await transaction { c in
            try await Self.serialise(on: hash, c)
            let won = try await c.rows("""
                UPDATE tokens SET used = TRUE
                WHERE hash = \(hash.bytes) AND kind = 'refresh' AND NOT used AND NOT revoked AND expires_at > \(now)
                RETURNING 1
                """)
            if !won.isEmpty {
                try await Self.insert(tokens, c)
                if let audit { try await Self.insert(audit, c) }
                return .rotated
            }
            guard let row = try await c.rows("SELECT family, used FROM tokens WHERE hash = \(hash.bytes) AND kind = 'refresh'").first,
                try row.value("used", as: Bool.self)
            else { return .invalid }
            let family: String = try row.value("family")
            let revoked = try await c.rows(Self.revoking(family: family))
            return .reused(revokedTokens: revoked.count)
        }
    }

    public func revokeToken(hash: TokenHash) async throws -> Bool {
        try await count("UPDATE tokens SET revoked = TRUE WHERE hash = \(hash.bytes) AND NOT revoked RETURNING 1") > 0
    }

    public func revokeFamily(_ family: String) async throws -> Int {
        try await count(Self.revoking(family: family))
    }

    /// Everyone presenting one code or refresh token takes turns from the start of the
    /// transaction. Without it, a late loser queued on the token's row lock closed a cycle with
    /// two losers revoking the family (seen as `deadlock detected` under 20 concurrent uses).
    private static func serialise(on hash: TokenHash, _ c: PostgresConnection) async throws {
        let key = hash.bytes.prefix(8).reduce(Int64(0)) { $0 << 8 | Int64($1) }
        try await c.rows("SELECT pg_advisory_xact_lock(\(key))")
    }

    /// Several replicas revoking one family at once (every loser of a refresh race does)
    /// would deadlock if each locked the rows in its own order; in hash order, they queue.
    private static func revoking(family: String) -> PostgresQuery {
        """
        UPDATE tokens SET revoked = TRUE WHERE hash IN (
            SELECT hash FROM tokens WHERE family = \(family) AND NOT revoked ORDER BY hash FOR UPDATE)
        RETURNING 1
        """
    }

    // MARK: consents

    public func consent(userID: String, clientID: String) async throws -> Consent? {
        try await one("SELECT * FROM consents WHERE user_id = \(userID) AND client_id = \(clientID)", Consent.init(pg:))
    }

    public func rememberConsent(_ consent: Consent) async throws {
        try await transaction { c in
            // Make sure the row exists, then lock it: two replicas remembering at once both add their scopes.
            try await c.rows("""
                INSERT INTO consents(user_id, client_id, scope, granted_at) VALUES (\(consent.userID), \(consent.clientID), '', \(consent.grantedAt))
                ON CONFLICT (user_id, client_id) DO NOTHING
                """)
            let previous = try await c.rows("SELECT * FROM consents WHERE user_id = \(consent.userID) AND client_id = \(consent.clientID) FOR UPDATE")
                .first.map(Consent.init(pg:))
            let scopes = (previous?.scopes ?? ScopeSet([])).union(consent.scopes)
            try await c.rows("""
                UPDATE consents SET scope = \(scopes.string), granted_at = \(consent.grantedAt)
                WHERE user_id = \(consent.userID) AND client_id = \(consent.clientID)
                """)
        }
    }

    public func consents(userID: String?) async throws -> [Consent] {
        if let userID {
            return try await all("SELECT * FROM consents WHERE user_id = \(userID) ORDER BY client_id", Consent.init(pg:))
        }
        return try await all("SELECT * FROM consents ORDER BY user_id, client_id", Consent.init(pg:))
    }

    public func revokeConsent(userID: String, clientID: String) async throws -> Int? {
        try await transaction { c in
            guard try await !c.rows("DELETE FROM consents WHERE user_id = \(userID) AND client_id = \(clientID) RETURNING 1").isEmpty else {
                return nil
            }
            return try await c.rows("""
                UPDATE tokens SET revoked = TRUE WHERE hash IN (
                    SELECT hash FROM tokens WHERE user_id = \(userID) AND client_id = \(clientID) AND NOT revoked ORDER BY hash FOR UPDATE)
                RETURNING 1
                """).count
        }
    }

    // MARK: housekeeping

    public func purgeExpired(before: Int64, auditBefore: Int64, attemptsBefore: Int64, limit: Int) async throws -> PurgeCounts {
        let limit = Int64(limit)
        return try await transaction { c in
            var counts = PurgeCounts()
            counts.codes = try await c.rows("""
                DELETE FROM codes WHERE hash IN (SELECT hash FROM codes WHERE expires_at < \(before) LIMIT \(limit)) RETURNING 1
                """).count
            counts.tokens = try await c.rows("""
                DELETE FROM tokens WHERE hash IN (SELECT hash FROM tokens WHERE expires_at < \(before) LIMIT \(limit)) RETURNING 1
                """).count
            counts.requests = try await c.rows("""
                DELETE FROM requests WHERE id IN (SELECT id FROM requests WHERE expires_at < \(before) LIMIT \(limit)) RETURNING 1
                """).count
            counts.audit = try await c.rows("""
                DELETE FROM audit WHERE id IN (SELECT id FROM audit WHERE at < \(auditBefore) ORDER BY at LIMIT \(limit)) RETURNING 1
                """).count
            counts.attempts = try await c.rows("""
                DELETE FROM attempts WHERE key IN (
                    SELECT key FROM attempts WHERE window_start < \(attemptsBefore) AND coalesce(locked_until, 0) < \(attemptsBefore) LIMIT \(limit))
                RETURNING 1
                """).count
            return counts
        }
    }

    // MARK: attempts

    public func attemptCounter(key: String) async throws -> AttemptCounter? {
        try await one("SELECT count, window_start, locked_until FROM attempts WHERE key = \(key)", AttemptCounter.init(pg:))
    }

    public func updateAttemptCounter<T: Sendable>(
        key: String, _ change: @escaping @Sendable (AttemptCounter?) -> (AttemptCounter?, T)
    ) async throws -> T {
        try await transaction { c in
            // The row lock makes concurrent attempts on every replica count one by one; a key
            // seen for the first time is serialised by an advisory lock on its name instead.
            try await c.rows("SELECT pg_advisory_xact_lock(hashtext(\(key)))")
            let current = try await c.rows("SELECT count, window_start, locked_until FROM attempts WHERE key = \(key) FOR UPDATE")
                .first.map(AttemptCounter.init(pg:))
            let (next, result) = change(current)
            if next != current {
                if let next {
                    try await c.rows("""
                        INSERT INTO attempts(key, count, window_start, locked_until)
                        VALUES (\(key), \(Int64(next.count)), \(next.windowStart), \(next.lockedUntil))
                        ON CONFLICT (key) DO UPDATE SET count = EXCLUDED.count, window_start = EXCLUDED.window_start,
                            locked_until = EXCLUDED.locked_until
                        """)
                } else {
                    try await c.rows("DELETE FROM attempts WHERE key = \(key)")
                }
            }
            return result
        }
    }

    // MARK: audit

    public func appendAudit(_ event: AuditEvent) async throws {
        try await run { c in try await Self.insert(event, c) }
    }

    private static func insert(_ e: AuditEvent, _ c: PostgresConnection) async throws {
        try await c.rows("""
            INSERT INTO audit(at, kind, client_id, username, detail, origin)
            VALUES (\(e.at), \(e.kind.rawValue), \(e.clientID), \(e.username), \(e.detail), \(e.origin))
            """)
    }

    public func recentAudit(limit: Int) async throws -> [AuditEvent] {
        try await all(
            "SELECT * FROM (SELECT * FROM audit ORDER BY id DESC LIMIT \(Int64(limit))) AS newest ORDER BY id", AuditEvent.init(pg:))
    }
}

extension PostgresConnection {
    /// Runs a statement and collects its rows, already in random-access form.
    @discardableResult
    func rows(_ query: PostgresQuery) async throws -> [PGRow] {
        try await self.query(query, logger: PostgresStore.silent).collect().map { $0.makeRandomAccess() }
    }
}

extension PostgresStore {
    /// Warnings and worse: the pool reports every failed connection attempt at info, which
    /// would bury a command's own output while the database restarts.
    public static var defaultLogger: Logger {
        var logger = Logger(label: "termauth.postgres")
        logger.logLevel = .warning
        return logger
    }

    static let silent = Logger(label: "termauth.postgres.query", factory: { _ in SwiftLogNoOpLogHandler() })
}
