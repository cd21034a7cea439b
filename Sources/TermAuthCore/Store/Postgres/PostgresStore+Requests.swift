import Foundation
import PostgresNIO

extension PostgresStore {
    public func insertRequest(_ p: Parking) async throws {
        let r = p.request
        try await transaction("approval code") { c in
            // Replicas park one at a time, so two of them cannot both take the last place.
            try await c.rows("SELECT pg_advisory_xact_lock(hashtext('termauth:park'))")
            try p.admit(try await Self.parkedCounts(c, clientID: r.clientID, source: r.source, now: r.createdAt))
            try await c.rows(
                """
                INSERT INTO requests(id, approval_hash, handle_hash, client_id, redirect_uri, response_type, scope, state,
                    code_challenge, code_challenge_method, origin, created_at, expires_at, status, poll_interval, redirect_uri_sent, source,
                    nonce, prompt, max_age, login_hint, ui_locales, resource)
                VALUES (\(r.id), \(p.approvalCode.bytes), \(p.handle.bytes), \(r.clientID), \(r.redirectURI), \(r.responseType.rawValue),
                    \(r.scopes.string), \(r.state), \(r.codeChallenge), \(r.codeChallengeMethod?.rawValue), \(r.origin), \(r.createdAt),
                    \(r.expiresAt), \(r.status.rawValue), \(r.pollInterval), \(r.redirectURISent), \(r.source),
                    \(r.options.nonce), \(Prompt.string(r.options.prompt)), \(r.options.maxAge), \(r.options.loginHint),
                    \(r.options.uiLocales.isEmpty ? nil : r.options.uiLocales.joined(separator: " ")), \(r.options.resource))
                """)
            if let audit = p.audit { try await Self.insert(audit, c) }
        }
    }

    public func parkedCount(_ scope: ParkedScope, now: Int64, upTo limit: Int) async throws -> Int {
        let limit = Int64(limit)
        let query: PostgresQuery
        switch scope {
        case .client(let id):
            query =
                "SELECT count(*) AS n FROM (SELECT 1 FROM requests WHERE status = 'pending' AND expires_at > \(now) AND client_id = \(id) LIMIT \(limit)) AS p"
        case .source(let source):
            query =
                "SELECT count(*) AS n FROM (SELECT 1 FROM requests WHERE status = 'pending' AND expires_at > \(now) AND source = \(source) LIMIT \(limit)) AS p"
        case .all:
            query = "SELECT count(*) AS n FROM (SELECT 1 FROM requests WHERE status = 'pending' AND expires_at > \(now) LIMIT \(limit)) AS p"
        }
        return Int(try await one(query) { try $0.value("n", as: Int64.self) } ?? 0)
    }

    static func parkedCounts(_ c: PostgresConnection, clientID: String, source: String, now: Int64) async throws -> ParkedCounts {
        let row = try await c.rows(
            """
            SELECT count(*) FILTER (WHERE client_id = \(clientID)) AS client, count(*) FILTER (WHERE source = \(source)) AS source,
                count(*) AS total
            FROM requests WHERE status = 'pending' AND expires_at > \(now)
            """
        ).first
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

    public func decideRequest(_ d: RequestDecision, now: Int64) async throws -> Bool {
        try await transaction { c in
            let decided = try await c.rows(
                """
                UPDATE requests SET status = \(d.status.rawValue), user_id = \(d.userID), granted_scope = \(d.grantedScopes?.string),
                    decided_at = \(now), auth_time = \(d.authentication?.time), amr = \(d.authentication?.methodsString)
                WHERE id = \(d.requestID) AND status = 'pending' AND expires_at > \(now)
                RETURNING 1
                """)
            guard !decided.isEmpty else { return false }
            if let consent = d.remember { try await Self.remember(consent, c) }
            try await Self.insert(d.audit, c)
            return true
        }
    }

    public func deliverRequest(id: String, code: AuthorizationCode?, tokens: [Token], audit: AuditEvent?) async throws -> Bool {
        try await transaction { c in
            let rows = try await c.rows("UPDATE requests SET status = 'delivered' WHERE id = \(id) AND status IN ('approved', 'denied') RETURNING 1")
            guard !rows.isEmpty else { return false }
            if let code { try await Self.insert(code, c) }
            try await Self.insert(tokens, c)
            if let audit { try await Self.insert(audit, c) }
            return true
        }
    }

    public func closeExpiredRequest(id: String, now: Int64) async throws -> Bool {
        try await count(
            """
            UPDATE requests SET status = 'delivered', decided_at = \(now)
            WHERE id = \(id) AND status = 'pending' AND expires_at <= \(now)
            RETURNING 1
            """) > 0
    }

    public func updateDevicePoll<T: Sendable>(
        id: String, _ change: @escaping @Sendable (DevicePollState) -> (DevicePollState, T)
    ) async throws -> T? {
        try await transaction { c in
            // FOR UPDATE: two replicas answering one device's polls see each other's poll times.
            guard let row = try await c.rows("SELECT poll_interval, last_polled_at FROM requests WHERE id = \(id) FOR UPDATE").first else {
                return nil
            }
            let (next, result) = change(DevicePollState(interval: try row.value("poll_interval"), lastPolledAt: try row.value("last_polled_at")))
            try await c.rows("UPDATE requests SET poll_interval = \(next.interval), last_polled_at = \(next.lastPolledAt) WHERE id = \(id)")
            return result
        }
    }
}
