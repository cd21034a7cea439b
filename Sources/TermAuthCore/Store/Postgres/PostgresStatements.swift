import Foundation
import PostgresNIO

/// The two statements every `/token` client-credentials call and every introspection runs,
/// prepared once per connection: PostgreSQL then skips parsing and planning them, and the
/// client skips describing them, on each call.
enum PostgresStatements {
    struct TokenByHash: PostgresPreparedStatement {
        // Named by hand: the default, String(reflecting:), showed as 1% of introspection in perf.
        static let name = "termauth_token_by_hash"
        static let sql = "SELECT * FROM tokens WHERE hash = $1"
        typealias Row = PostgresRow
        let hash: TokenHash

        func makeBindings() throws -> PostgresBindings {
            var binds = PostgresBindings(capacity: 1)
            try binds.append(hash.bytes)
            return binds
        }

        func decodeRow(_ row: PostgresRow) throws -> PostgresRow { row }
    }

    /// One token and the audit event of its issue, atomic as one statement.
    struct InsertTokenWithAudit: PostgresPreparedStatement {
        static let name = "termauth_insert_token_with_audit"
        static let sql = """
            WITH issued AS (
                INSERT INTO tokens(\(PostgresBindings.tokenColumnList))
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
            )
            INSERT INTO audit(at, kind, client_id, username, detail, origin) VALUES ($15, $16, $17, $18, $19, $20)
            """
        typealias Row = Void
        let token: Token
        let audit: AuditEvent

        func makeBindings() throws -> PostgresBindings {
            var b = PostgresBindings(capacity: PostgresBindings.tokenColumns + 6)
            try b.append(token)
            b.append(audit.at)
            b.append(audit.kind.rawValue)
            b.append(audit.clientID)
            b.append(audit.username)
            b.append(audit.detail)
            b.append(audit.origin)
            return b
        }

        func decodeRow(_ row: PostgresRow) throws {}
    }
}

extension PostgresBindings {
    static let tokenColumnList =
        "hash, kind, client_id, user_id, scope, issued_at, expires_at, family, code_hash, revoked, used, auth_time, amr, resource"
    static let tokenColumns = 14

    /// A token's columns, in the order of `tokenColumnList`.
    mutating func append(_ t: Token) throws {
        try append(t.hash.bytes)
        append(t.kind.rawValue)
        append(t.clientID)
        append(t.userID)
        append(t.scopes.string)
        append(t.issuedAt)
        append(t.expiresAt)
        append(t.family)
        try append(t.codeHash?.bytes)
        append(t.revoked)
        append(t.used)
        append(t.authentication?.time)
        append(t.authentication?.methodsString)
        append(t.resource)
    }
}

extension PostgresConnection {
    /// Runs a prepared statement and collects its rows.
    @discardableResult
    func rows<S: PostgresPreparedStatement>(_ statement: S) async throws -> [S.Row] {
        var rows: [S.Row] = []
        for try await row in try await execute(statement, logger: PostgresStore.silent) { rows.append(row) }
        return rows
    }
}
