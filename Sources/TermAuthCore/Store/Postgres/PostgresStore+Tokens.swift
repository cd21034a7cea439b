import Foundation
import PostgresNIO

extension PostgresStore {
    /// All of them in one multi-row INSERT: one round trip however many tokens a grant issues.
    static func insert(_ tokens: [Token], _ c: PostgresConnection) async throws {
        guard !tokens.isEmpty else { return }
        var binds = PostgresBindings(capacity: tokens.count * PostgresBindings.tokenColumns)
        var rows: [String] = []
        for t in tokens {
            let first = binds.count
            rows.append("(" + (1...PostgresBindings.tokenColumns).map { "$\(first + $0)" }.joined(separator: ", ") + ")")
            try binds.append(t)
        }
        try await c.rows(
            PostgresQuery(
                unsafeSQL: """
                    INSERT INTO tokens(\(PostgresBindings.tokenColumnList))
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

    public func rotateRefreshToken(
        hash: TokenHash, now: Int64, issuing tokens: [Token], audit: @escaping @Sendable (RefreshRotation) -> AuditEvent?
    ) async throws -> RefreshRotation {
        try await transaction(audited: audit) { c in try await Self.rotate(hash, now: now, issuing: tokens, c) }
    }

    private static func rotate(_ hash: TokenHash, now: Int64, issuing tokens: [Token], _ c: PostgresConnection) async throws -> RefreshRotation {
        try await Self.serialise(on: hash, c)
        let won = try await c.rows(
            """
            UPDATE tokens SET used = TRUE
            WHERE hash = \(hash.bytes) AND kind = 'refresh' AND NOT used AND NOT revoked AND expires_at > \(now)
            RETURNING 1
            """)
        if !won.isEmpty {
            try await Self.insert(tokens, c)
            return .rotated
        }
        guard let row = try await c.rows("SELECT family, used FROM tokens WHERE hash = \(hash.bytes) AND kind = 'refresh'").first,
            try row.value("used", as: Bool.self)
        else { return .invalid }
        let family: String = try row.value("family")
        return .reused(revokedTokens: try await c.rows(Self.revoking(family: family)).count)
    }

    public func revokeToken(hash: TokenHash, audit: @escaping @Sendable (Int) -> AuditEvent?) async throws -> Bool {
        try await transaction(audited: audit) { c in
            try await c.rows("UPDATE tokens SET revoked = TRUE WHERE hash = \(hash.bytes) AND NOT revoked RETURNING 1").count
        } > 0
    }

    public func revokeFamily(_ family: String, audit: @escaping @Sendable (Int) -> AuditEvent?) async throws -> Int {
        try await transaction(audited: audit) { c in try await c.rows(Self.revoking(family: family)).count }
    }

    /// Everyone presenting one code or refresh token takes turns from the start of the
    /// transaction. Without it, a late loser queued on the token's row lock closed a cycle with
    /// two losers revoking the family (seen as `deadlock detected` under 20 concurrent uses).
    static func serialise(on hash: TokenHash, _ c: PostgresConnection) async throws {
        let key = hash.bytes.prefix(8).reduce(Int64(0)) { $0 << 8 | Int64($1) }
        try await c.rows("SELECT pg_advisory_xact_lock(\(key))")
    }

    /// Several replicas revoking one family at once (every loser of a refresh race does)
    /// would deadlock if each locked the rows in its own order; in hash order, they queue.
    static func revoking(family: String) -> PostgresQuery {
        """
        UPDATE tokens SET revoked = TRUE WHERE hash IN (
            SELECT hash FROM tokens WHERE family = \(family) AND NOT revoked ORDER BY hash FOR UPDATE)
        RETURNING 1
        """
    }
}
