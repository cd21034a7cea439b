import Foundation
import GRDB

extension SQLiteStore {
    public func insertRequest(_ p: Parking) async throws {
        let r = p.request
        try await run("approval code") { db in
            // Counted again inside the write: the single writer makes count-then-insert atomic.
            try p.admit(try Self.parkedCounts(db, clientID: r.clientID, source: r.source, now: r.createdAt))
            try db.cachedStatement(
                sql: """
                    INSERT INTO requests(id, approval_hash, handle_hash, client_id, redirect_uri, response_type, scope, state,
                        code_challenge, code_challenge_method, origin, created_at, expires_at, status, poll_interval, redirect_uri_sent, source,
                        nonce, prompt, max_age, login_hint, ui_locales, resource)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """
            ).execute(
                arguments: [
                    r.id, p.approvalCode.bytes, p.handle.bytes, r.clientID, r.redirectURI, r.responseType.rawValue, r.scopes.string,
                    r.state, r.codeChallenge, r.codeChallengeMethod?.rawValue, r.origin, r.createdAt, r.expiresAt, r.status.rawValue,
                    r.pollInterval, r.redirectURISent, r.source, r.options.nonce, Prompt.string(r.options.prompt), r.options.maxAge,
                    r.options.loginHint, r.options.uiLocales.isEmpty ? nil : r.options.uiLocales.joined(separator: " "), r.options.resource,
                ])
            if let audit = p.audit { try Self.insert(audit, db) }
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

    static func parkedCounts(_ db: Database, clientID: String, source: String, now: Int64) throws -> ParkedCounts {
        func count(_ condition: String, _ value: String?) throws -> Int {
            let sql = "SELECT count(*) FROM requests WHERE status = 'pending' AND expires_at > ?" + condition
            let arguments: StatementArguments = value.map { [now, $0] } ?? [now]
            return try Int.fetchOne(db.cachedStatement(sql: sql), arguments: arguments) ?? 0
        }
        return ParkedCounts(
            client: try count(" AND client_id = ?", clientID), source: try count(" AND source = ?", source), total: try count("", nil))
    }

    func request(where column: String, _ value: some DatabaseValueConvertible & Sendable) async throws -> AuthorizationRequest? {
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

    public func decideRequest(_ d: RequestDecision, now: Int64) async throws -> Bool {
        try await run { db in
            try db.execute(
                sql: """
                    UPDATE requests SET status = ?, user_id = ?, granted_scope = ?, decided_at = ?, auth_time = ?, amr = ?
                    WHERE id = ? AND status = 'pending' AND expires_at > ?
                    """,
                arguments: [
                    d.status.rawValue, d.userID, d.grantedScopes?.string, now, d.authentication?.time, d.authentication?.methodsString, d.requestID,
                    now,
                ])
            guard db.changesCount > 0 else { return false }
            if let consent = d.remember { try Self.remember(consent, db) }
            try Self.insert(d.audit, db)
            return true
        }
    }

    public func deliverRequest(id: String, code: AuthorizationCode?, tokens: [Token], audit: AuditEvent?) async throws -> Bool {
        try await run { db in
            try db.execute(
                sql: "UPDATE requests SET status = 'delivered' WHERE id = ? AND status IN ('approved', 'denied')", arguments: [id])
            guard db.changesCount > 0 else { return false }
            if let code { try Self.insert(code, db) }
            try Self.insert(tokens, db)
            if let audit { try Self.insert(audit, db) }
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

    public func updateDevicePoll<T: Sendable>(
        id: String, _ change: @escaping @Sendable (DevicePollState) -> (DevicePollState, T)
    ) async throws -> T? {
        try await run { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT poll_interval, last_polled_at FROM requests WHERE id = ?", arguments: [id]) else {
                return nil
            }
            let (next, result) = change(DevicePollState(interval: row["poll_interval"], lastPolledAt: row["last_polled_at"]))
            try db.execute(
                sql: "UPDATE requests SET poll_interval = ?, last_polled_at = ? WHERE id = ?", arguments: [next.interval, next.lastPolledAt, id])
            return result
        }
    }
}
