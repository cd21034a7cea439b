import Foundation
import GRDB

/// The embedded store: one SQLite file in WAL mode, shared by the server and any console or
/// headless command running beside it. Each method is one transaction, committed before it returns.
public final class SQLiteStore: Store {
    public let path: String
    let pool: DatabasePool
    private let writer: GroupCommitWriter
    private let readers: ReaderConnections
    private let clientCache = ShortLivedCache<String, Client?>(lifetimeMilliseconds: 1000)
    private let scopeNameCache = ShortLivedCache<Int, Set<String>>(lifetimeMilliseconds: 1000)

    public init(path: String, durability: Settings.Durability = .normal) throws {
        self.path = path
        try Self.createPrivately(path)
        var config = Configuration()
        // A console and the server write the same file; wait for the other's lock instead of failing.
        config.busyMode = .timeout(10)
        config.label = "termauth"
        config.prepareDatabase { db in
            // The writer's cache: it keeps the index pages every insert and update walks. Readers
            // lower theirs (see `ReaderConnections`).
            try db.execute(sql: "PRAGMA cache_size = -16000")
            // A batch that must be retried write by write keeps its savepoints' page copies in memory, not in temporary files.
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
        }
        do {
            pool = try DatabasePool(path: path, configuration: config)
            let migrator = SQLiteSchema.migrator
            if try pool.read({ try migrator.hasBeenSuperseded($0) }) {
                let known = migrator.migrations.joined(separator: ", ")
                throw TermAuthError.configuration(
                    "\(path): the database schema is newer than this termauth knows (it knows \(known)); run a newer termauth")
            }
            try migrator.migrate(pool)
            try pool.writeWithoutTransaction { db in
                if durability == .full {
                    // GRDB sets NORMAL on every connection it opens; only the writer's setting matters for commits.
                    try db.execute(sql: "PRAGMA synchronous = FULL")
                }
                // Checkpoints run beside the writer (see `BackgroundCheckpointer`). SQLite's own,
                // inside a commit, stays only as a backstop for a WAL of 40 MB, which a process
                // that exits before its checkpoint is due could otherwise leave growing. The size
                // limit trims the WAL file back after a burst.
                try db.execute(sql: "PRAGMA wal_autocheckpoint = 10000; PRAGMA journal_size_limit = 67108864")
            }
            let checkpointer = try BackgroundCheckpointer(path: path, configuration: config)
            writer = GroupCommitWriter(pool: pool, afterCommit: checkpointer.noteCommit)
            readers = ReaderConnections(path: path, configuration: config, limit: 8)
        } catch let error as TermAuthError {
            throw error
        } catch {
            throw TermAuthError.storage("\(path): \(Self.describe(error))")
        }
    }

    /// The migrations applied to this file, and those this build knows.
    public func schemaVersion() throws -> (applied: [String], known: [String]) {
        let migrator = SQLiteSchema.migrator
        return (try pool.read { try migrator.appliedMigrations($0) }, migrator.migrations)
    }

    /// SQLite creates the -wal and -shm files with the database's own mode, so 0600 here covers all three.
    private static func createPrivately(_ path: String) throws {
        try PrivateDirectory.create(containing: path)
        let fd = open(path, O_CREAT | O_RDWR | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            let reason = String(cString: strerror(errno))
            let what = FileManager.default.fileExists(atPath: path) ? "cannot open the database for writing" : "cannot create the database"
            throw TermAuthError.storage("\(path): \(what) (\(reason))")
        }
        defer { close(fd) }
        try PrivateFile.check(descriptor: fd, path: path, what: "database")
    }

    static func describe(_ error: any Error) -> String {
        if let db = error as? DatabaseError { return db.message ?? "\(db.resultCode)" }
        return "\(error)"
    }

    /// Maps engine failures onto the core's errors; the caller sees `.duplicate` or `.storage`, never GRDB.
    private func run<T: Sendable>(_ what: String = "", _ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await writer.write(body)
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE || error.extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY {
            throw TermAuthError.duplicate(what)
        } catch let error as DatabaseError {
            throw TermAuthError.storage(Self.describe(error))
        }
    }

    /// Point reads take microseconds, far less than a hop to GRDB's reader queue and back,
    /// so they run on the calling thread (measured: the hops dominated `/token`).
    private func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try readHere(body)
        } catch let error as DatabaseError {
            throw TermAuthError.storage(Self.describe(error))
        }
    }

    /// Every read here is one SELECT, consistent on its own, so the BEGIN/COMMIT that
    /// `read` wraps around it (a tenth of `/introspect`'s time in perf) buys nothing.
    private func readHere<T>(_ body: (Database) throws -> T) throws -> T {
        if let value = try readers.read(body) { return value }
        return try pool.unsafeRead(body)
    }

    /// The first row of a cached statement, decoded in place: `Row.fetchOne` copies every
    /// column out first, which the hot lookups do not need.
    private static func first<T>(_ db: Database, _ sql: String, _ arguments: StatementArguments, _ decode: (Row) -> T) throws -> T? {
        let cursor = try Row.fetchCursor(db.cachedStatement(sql: sql), arguments: arguments)
        // The row reads the live statement, which the cursor resets when it goes away.
        return try withExtendedLifetime(cursor) { try cursor.next().map(decode) }
    }

    // MARK: clients

    public func insertClient(_ client: Client) async throws {
        defer { clientCache.invalidate(client.id) }
        try await run("client \(client.id)") { db in
            try db.execute(
                sql: """
                    INSERT INTO clients(id, name, secret, redirect_uris, grant_types, scopes, require_pkce, allow_plain_pkce, created_at, may_introspect)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    client.id, client.name, client.secret?.encoded, client.redirectURIs.joined(separator: "\n"),
                    client.grantTypes.map(\.rawValue).joined(separator: " "), client.scopes.joined(separator: " "),
                    client.requirePKCE, client.allowPlainPKCE, client.createdAt, client.mayIntrospect,
                ])
        }
    }

    public func updateClient(_ client: Client) async throws -> Bool {
        defer { clientCache.invalidate(client.id) }
        return try await run { db in
            try db.execute(
                sql: """
                    UPDATE clients SET name = ?, redirect_uris = ?, grant_types = ?, scopes = ?, require_pkce = ?,
                        allow_plain_pkce = ?, may_introspect = ?
                    WHERE id = ?
                    """,
                arguments: [
                    client.name, client.redirectURIs.joined(separator: "\n"), client.grantTypes.map(\.rawValue).joined(separator: " "),
                    client.scopes.joined(separator: " "), client.requirePKCE, client.allowPlainPKCE, client.mayIntrospect, client.id,
                ])
            return db.changesCount > 0
        }
    }

    public func client(id: String) async throws -> Client? {
        try await clientCache.value(id) { try await freshClient(id: id) }
    }

    public func freshClient(id: String) async throws -> Client? {
        clientCache.invalidate(id)
        return try await read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM clients WHERE id = ?"), arguments: [id]).map(Client.init(row:))
        }
    }

    public func clients() async throws -> [Client] {
        try await read { db in try Row.fetchAll(db, sql: "SELECT * FROM clients ORDER BY id").map(Client.init(row:)) }
    }

    public func removeClient(id: String) async throws -> Bool {
        defer { clientCache.invalidate(id) }
        return try await run { db in
            try db.execute(sql: "DELETE FROM clients WHERE id = ?", arguments: [id])
            guard db.changesCount > 0 else { return false }
            for table in ["tokens", "codes", "consents", "requests"] {
                try db.execute(sql: "DELETE FROM \(table) WHERE client_id = ?", arguments: [id])
            }
            return true
        }
    }

    public func updateClientSecret(id: String, secret: SecretHash) async throws -> Bool {
        defer { clientCache.invalidate(id) }
        return try await run { db in
            try db.execute(sql: "UPDATE clients SET secret = ? WHERE id = ? AND secret IS NOT NULL", arguments: [secret.encoded, id])
            return db.changesCount > 0
        }
    }

    // MARK: users

    public func insertUser(_ user: User) async throws {
        try await run("user \(user.username)") { db in
            try db.execute(
                sql: """
                    INSERT INTO users(id, username, display_name, password_hash, created_at) VALUES (?, ?, ?, ?, ?)
                    """,
                arguments: [user.id, user.username, user.displayName, user.passwordHash, user.createdAt])
        }
    }

    public func user(username: String) async throws -> User? {
        try await read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM users WHERE username = ?"), arguments: [username]).map(User.init(row:))
        }
    }

    public func user(id: String) async throws -> User? {
        try await read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM users WHERE id = ?"), arguments: [id]).map(User.init(row:))
        }
    }

    public func users() async throws -> [User] {
        try await read { db in try Row.fetchAll(db, sql: "SELECT * FROM users ORDER BY username").map(User.init(row:)) }
    }

    public func removeUser(username: String) async throws -> Bool {
        try await run { db in
            guard let id = try String.fetchOne(db, sql: "SELECT id FROM users WHERE username = ?", arguments: [username]) else { return false }
            try db.execute(sql: "DELETE FROM users WHERE id = ?", arguments: [id])
            for table in ["tokens", "codes", "consents"] {
                try db.execute(sql: "DELETE FROM \(table) WHERE user_id = ?", arguments: [id])
            }
            return true
        }
    }

    public func updatePassword(userID: String, hash: String) async throws {
        try await run { db in
            try db.execute(
                sql: "UPDATE users SET password_hash = ? WHERE id = ?", arguments: [hash, userID])
        }
    }

    // MARK: scopes

    public func saveScope(_ scope: Scope) async throws {
        defer { scopeNameCache.invalidateAll() }
        let translations = String(decoding: try JSONEncoder().encode(scope.translations), as: UTF8.self)
        try await run { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO scopes(name, description, translations, required) VALUES (?, ?, ?, ?)",
                arguments: [scope.name, scope.description, translations, scope.required])
        }
    }

    public func scopes() async throws -> [Scope] {
        try await read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM scopes ORDER BY name")).map(Scope.init(row:))
        }
    }

    public func scopeNames() async throws -> Set<String> {
        try await scopeNameCache.value(0) {
            try await read { db in Set(try String.fetchAll(db.cachedStatement(sql: "SELECT name FROM scopes"))) }
        }
    }

    public func removeScope(name: String) async throws -> Bool {
        defer { scopeNameCache.invalidateAll() }
        return try await run { db in
            try db.execute(sql: "DELETE FROM scopes WHERE name = ?", arguments: [name])
            return db.changesCount > 0
        }
    }

    // MARK: parked requests

    public func insertRequest(
        _ r: AuthorizationRequest, approvalCode: TokenHash, handle: TokenHash, audit: AuditEvent?,
        admit: @escaping @Sendable (ParkedCounts) throws -> Void
    ) async throws {
        try await run("approval code") { db in
            // Counted again inside the write: the single writer makes count-then-insert atomic.
            try admit(try Self.parkedCounts(db, clientID: r.clientID, source: r.source, now: r.createdAt))
            try db.cachedStatement(
                sql: """
                    INSERT INTO requests(id, approval_hash, handle_hash, client_id, redirect_uri, response_type, scope, state,
                        code_challenge, code_challenge_method, origin, created_at, expires_at, status, poll_interval, redirect_uri_sent, source)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """
            ).execute(
                arguments: [
                    r.id, approvalCode.bytes, handle.bytes, r.clientID, r.redirectURI, r.responseType.rawValue, r.scopes.string,
                    r.state, r.codeChallenge, r.codeChallengeMethod?.rawValue, r.origin, r.createdAt, r.expiresAt, r.status.rawValue,
                    r.pollInterval, r.redirectURISent, r.source,
                ])
            if let audit { try Self.insert(audit, db) }
        }
    }

    public func parkedCount(_ scope: ParkedScope, now: Int64, upTo limit: Int) async throws -> Int {
        let (condition, value): (String, String?)
        switch scope {
        case .client(let id): (condition, value) = (" AND client_id = ?", id)
        case .source(let source): (condition, value) = (" AND source = ?", source)
        case .all: (condition, value) = ("", nil)
        }
        let sql = "SELECT count(*) FROM (SELECT 1 FROM requests WHERE status = 'pending' AND expires_at > ?\(condition) LIMIT ?)"
        let arguments: StatementArguments = value.map { [now, $0, limit] } ?? [now, limit]
        return try await read { db in try Int.fetchOne(db.cachedStatement(sql: sql), arguments: arguments) ?? 0 }
    }

    private static func parkedCounts(_ db: Database, clientID: String, source: String, now: Int64) throws -> ParkedCounts {
        func count(_ condition: String, _ value: String?) throws -> Int {
            let sql = "SELECT count(*) FROM requests WHERE status = 'pending' AND expires_at > ?" + condition
            let arguments: StatementArguments = value.map { [now, $0] } ?? [now]
            return try Int.fetchOne(db.cachedStatement(sql: sql), arguments: arguments) ?? 0
        }
        return ParkedCounts(client: try count(" AND client_id = ?", clientID), source: try count(" AND source = ?", source), total: try count("", nil))
    }

    private func request(where column: String, _ value: some DatabaseValueConvertible & Sendable) async throws -> AuthorizationRequest? {
        try await read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM requests WHERE \(column) = ?"), arguments: [value])
                .map(AuthorizationRequest.init(row:))
        }
    }

    public func request(approvalCode: TokenHash) async throws -> AuthorizationRequest? {
        try await request(where: "approval_hash", approvalCode.bytes)
    }

    public func request(handle: TokenHash) async throws -> AuthorizationRequest? {
        try await request(where: "handle_hash", handle.bytes)
    }

    public func request(id: String) async throws -> AuthorizationRequest? {
        try await request(where: "id", id)
    }

    public func pendingRequests(now: Int64) async throws -> [AuthorizationRequest] {
        try await read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM requests WHERE status = 'pending' AND expires_at > ? ORDER BY created_at", arguments: [now]
            ).map(AuthorizationRequest.init(row:))
        }
    }

    public func decideRequest(id: String, status: AuthorizationRequest.Status, userID: String?, grantedScopes: ScopeSet?, now: Int64) async throws -> Bool {
        try await run { db in
            try db.execute(
                sql: """
                    UPDATE requests SET status = ?, user_id = ?, granted_scope = ?, decided_at = ?
                    WHERE id = ? AND status = 'pending' AND expires_at > ?
                    """,
                arguments: [status.rawValue, userID, grantedScopes?.string, now, id, now])
            return db.changesCount > 0
        }
    }

    public func deliverRequest(id: String, code: AuthorizationCode?, tokens: [Token]) async throws -> Bool {
        try await run { db in
            try db.execute(
                sql: "UPDATE requests SET status = 'delivered' WHERE id = ? AND status IN ('approved', 'denied')", arguments: [id])
            guard db.changesCount > 0 else { return false }
            if let code { try Self.insert(code, db) }
            try Self.insert(tokens, db)
            return true
        }
    }

    public func closeExpiredRequest(id: String, now: Int64) async throws -> Bool {
        try await run { db in
            try db.execute(
                sql: "UPDATE requests SET status = 'delivered', decided_at = ? WHERE id = ? AND status = 'pending' AND expires_at <= ?",
                arguments: [now, id, now])
            return db.changesCount > 0
        }
    }

    public func recordDevicePoll(id: String, now: Int64) async throws -> DevicePoll {
        try await run { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT poll_interval, last_polled_at FROM requests WHERE id = ?", arguments: [id]) else {
                return .inTime
            }
            let interval: Int64 = row["poll_interval"]
            let last: Int64? = row["last_polled_at"]
            if let last, now - last < interval {
                try db.execute(sql: "UPDATE requests SET poll_interval = ?, last_polled_at = ? WHERE id = ?", arguments: [interval + 5, now, id])
                return .slowDown(interval: interval + 5)
            }
            try db.execute(sql: "UPDATE requests SET last_polled_at = ? WHERE id = ?", arguments: [now, id])
            return .inTime
        }
    }

    // MARK: codes

    private static func insert(_ c: AuthorizationCode, _ db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO codes(hash, client_id, user_id, redirect_uri, scope, code_challenge, code_challenge_method, issued_at, expires_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                c.hash.bytes, c.clientID, c.userID, c.redirectURI, c.scopes.string, c.codeChallenge,
                c.codeChallengeMethod?.rawValue, c.issuedAt, c.expiresAt,
            ])
    }

    public func code(hash: TokenHash) async throws -> AuthorizationCode? {
        try await read { db in
            try Self.first(db, "SELECT \(AuthorizationCode.sqliteColumns) FROM codes WHERE hash = ?", [hash.bytes], AuthorizationCode.init(row:))
        }
    }

    public func redeemCode(hash: TokenHash, now: Int64, issuing tokens: [Token], audit: AuditEvent?) async throws -> CodeRedemption {
        try await run { db in
            try db.cachedStatement(sql: "UPDATE codes SET redeemed_at = ? WHERE hash = ? AND redeemed_at IS NULL")
                .execute(arguments: [now, hash.bytes])
            if db.changesCount > 0 {
                try Self.insert(tokens, db)
                if let audit { try Self.insert(audit, db) }
                return .redeemed
            }
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM codes WHERE hash = ?", arguments: [hash.bytes]) != nil else { return .unknown }
            try db.execute(sql: "UPDATE tokens SET revoked = 1 WHERE code_hash = ? AND revoked = 0", arguments: [hash.bytes])
            return .reused(revokedTokens: db.changesCount)
        }
    }

    // MARK: tokens

    private static func insert(_ tokens: [Token], _ db: Database) throws {
        let statement = try db.cachedStatement(sql: """
            INSERT INTO tokens(hash, kind, client_id, user_id, scope, issued_at, expires_at, family, code_hash, revoked, used)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for t in tokens {
            try statement.execute(arguments: [
                t.hash.bytes, t.kind.rawValue, t.clientID, t.userID, t.scopes.string, t.issuedAt, t.expiresAt,
                t.family, t.codeHash?.bytes, t.revoked, t.used,
            ])
        }
    }

    public func insertTokens(_ tokens: [Token], audit: AuditEvent?) async throws {
        try await run { db in
            try Self.insert(tokens, db)
            if let audit { try Self.insert(audit, db) }
        }
    }

    public func token(hash: TokenHash) async throws -> Token? {
        try await read { db in
            try Self.first(db, "SELECT \(Token.sqliteColumns) FROM tokens WHERE hash = ?", [hash.bytes], Token.init(row:))
        }
    }

    public func rotateRefreshToken(hash: TokenHash, now: Int64, issuing tokens: [Token], audit: AuditEvent?) async throws -> RefreshRotation {
        try await run { db in
            try db.cachedStatement(sql: """
                UPDATE tokens SET used = 1
                WHERE hash = ? AND kind = 'refresh' AND used = 0 AND revoked = 0 AND expires_at > ?
                """).execute(arguments: [hash.bytes, now])
            if db.changesCount > 0 {
                try Self.insert(tokens, db)
                if let audit { try Self.insert(audit, db) }
                return .rotated
            }
            let row = try Row.fetchOne(db, sql: "SELECT family, used FROM tokens WHERE hash = ? AND kind = 'refresh'", arguments: [hash.bytes])
            guard let row, (row["used"] as Bool) else { return .invalid }
            try db.execute(sql: "UPDATE tokens SET revoked = 1 WHERE family = ? AND revoked = 0", arguments: [row["family"] as String])
            return .reused(revokedTokens: db.changesCount)
        }
    }

    public func revokeToken(hash: TokenHash) async throws -> Bool {
        try await run { db in
            try db.execute(sql: "UPDATE tokens SET revoked = 1 WHERE hash = ? AND revoked = 0", arguments: [hash.bytes])
            return db.changesCount > 0
        }
    }

    public func revokeFamily(_ family: String) async throws -> Int {
        try await run { db in
            try db.execute(sql: "UPDATE tokens SET revoked = 1 WHERE family = ? AND revoked = 0", arguments: [family])
            return db.changesCount
        }
    }

    // MARK: consents

    public func consent(userID: String, clientID: String) async throws -> Consent? {
        try await read { db in
            try Row.fetchOne(
                db.cachedStatement(sql: "SELECT * FROM consents WHERE user_id = ? AND client_id = ?"), arguments: [userID, clientID]
            ).map(Consent.init(row:))
        }
    }

    public func rememberConsent(_ consent: Consent) async throws {
        try await run { db in
            let previous = try Row.fetchOne(
                db, sql: "SELECT * FROM consents WHERE user_id = ? AND client_id = ?", arguments: [consent.userID, consent.clientID]
            ).map(Consent.init(row:))
            let scopes = (previous?.scopes ?? ScopeSet([])).union(consent.scopes)
            try db.execute(
                sql: "INSERT OR REPLACE INTO consents(user_id, client_id, scope, granted_at) VALUES (?, ?, ?, ?)",
                arguments: [consent.userID, consent.clientID, scopes.string, consent.grantedAt])
        }
    }

    public func consents(userID: String?) async throws -> [Consent] {
        try await read { db in
            if let userID {
                return try Row.fetchAll(db, sql: "SELECT * FROM consents WHERE user_id = ? ORDER BY client_id", arguments: [userID])
                    .map(Consent.init(row:))
            }
            return try Row.fetchAll(db, sql: "SELECT * FROM consents ORDER BY user_id, client_id").map(Consent.init(row:))
        }
    }

    public func revokeConsent(userID: String, clientID: String) async throws -> Int? {
        try await run { db in
            try db.execute(sql: "DELETE FROM consents WHERE user_id = ? AND client_id = ?", arguments: [userID, clientID])
            guard db.changesCount > 0 else { return nil }
            try db.execute(sql: "UPDATE tokens SET revoked = 1 WHERE user_id = ? AND client_id = ? AND revoked = 0", arguments: [userID, clientID])
            return db.changesCount
        }
    }

    // MARK: housekeeping

    public func purgeExpired(before: Int64, auditBefore: Int64, attemptsBefore: Int64, limit: Int) async throws -> PurgeCounts {
        try await run { db in
            var counts = PurgeCounts()
            try db.execute(sql: "DELETE FROM codes WHERE rowid IN (SELECT rowid FROM codes WHERE expires_at < ? LIMIT ?)", arguments: [before, limit])
            counts.codes = db.changesCount
            try db.execute(sql: "DELETE FROM tokens WHERE rowid IN (SELECT rowid FROM tokens WHERE expires_at < ? LIMIT ?)", arguments: [before, limit])
            counts.tokens = db.changesCount
            try db.execute(sql: "DELETE FROM requests WHERE id IN (SELECT id FROM requests WHERE expires_at < ? LIMIT ?)", arguments: [before, limit])
            counts.requests = db.changesCount
            try db.execute(sql: "DELETE FROM audit WHERE id IN (SELECT id FROM audit WHERE at < ? ORDER BY at LIMIT ?)", arguments: [auditBefore, limit])
            counts.audit = db.changesCount
            try db.execute(
                sql: """
                    DELETE FROM attempts WHERE key IN (
                        SELECT key FROM attempts WHERE window_start < ? AND coalesce(locked_until, 0) < ? LIMIT ?)
                    """,
                arguments: [attemptsBefore, attemptsBefore, limit])
            counts.attempts = db.changesCount
            return counts
        }
    }

    // MARK: attempts

    public func attemptCounter(key: String) async throws -> AttemptCounter? {
        try await read { db in
            try Self.first(db, "SELECT count, window_start, locked_until FROM attempts WHERE key = ?", [key]) {
                AttemptCounter(count: $0[0], windowStart: $0[1], lockedUntil: $0[2])
            }
        }
    }

    public func updateAttemptCounter<T: Sendable>(
        key: String, _ change: @escaping @Sendable (AttemptCounter?) -> (AttemptCounter?, T)
    ) async throws -> T {
        try await run { db in
            let current = try Self.first(db, "SELECT count, window_start, locked_until FROM attempts WHERE key = ?", [key]) {
                AttemptCounter(count: $0[0], windowStart: $0[1], lockedUntil: $0[2])
            }
            let (next, result) = change(current)
            if next != current {
                if let next {
                    try db.cachedStatement(sql: "INSERT OR REPLACE INTO attempts(key, count, window_start, locked_until) VALUES (?, ?, ?, ?)")
                        .execute(arguments: [key, next.count, next.windowStart, next.lockedUntil])
                } else {
                    try db.cachedStatement(sql: "DELETE FROM attempts WHERE key = ?").execute(arguments: [key])
                }
            }
            return result
        }
    }

    // MARK: audit

    public func appendAudit(_ e: AuditEvent) async throws {
        try await run { db in try Self.insert(e, db) }
    }

    private static func insert(_ e: AuditEvent, _ db: Database) throws {
        try db.cachedStatement(sql: "INSERT INTO audit(at, kind, client_id, username, detail, origin) VALUES (?, ?, ?, ?, ?, ?)")
            .execute(arguments: [e.at, e.kind.rawValue, e.clientID, e.username, e.detail, e.origin])
    }

    public func recentAudit(limit: Int) async throws -> [AuditEvent] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM (SELECT * FROM audit ORDER BY id DESC LIMIT ?) ORDER BY id", arguments: [limit])
                .map(AuditEvent.init(row:))
        }
    }
}
