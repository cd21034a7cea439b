import Foundation
import PostgresNIO

extension PostgresStore {
    public func consent(userID: String, clientID: String) async throws -> Consent? {
        try await one("SELECT * FROM consents WHERE user_id = \(userID) AND client_id = \(clientID)", Consent.init(pg:))
    }

    public func rememberConsent(_ consent: Consent) async throws {
        try await transaction { c in try await Self.remember(consent, c) }
    }

    static func remember(_ consent: Consent, _ c: PostgresConnection) async throws {
        // Make sure the row exists, then lock it: two replicas remembering at once both add their scopes.
        try await c.rows(
            """
            INSERT INTO consents(user_id, client_id, scope, granted_at) VALUES (\(consent.userID), \(consent.clientID), '', \(consent.grantedAt))
            ON CONFLICT (user_id, client_id) DO NOTHING
            """)
        let previous = try await c.rows("SELECT * FROM consents WHERE user_id = \(consent.userID) AND client_id = \(consent.clientID) FOR UPDATE")
            .first.map(Consent.init(pg:))
        let merged = consent.adding(to: previous)
        try await c.rows(
            """
            UPDATE consents SET scope = \(merged.scopes.string), granted_at = \(merged.grantedAt)
            WHERE user_id = \(merged.userID) AND client_id = \(merged.clientID)
            """)
    }

    public func consents(userID: String?) async throws -> [Consent] {
        if let userID {
            return try await all("SELECT * FROM consents WHERE user_id = \(userID) ORDER BY client_id", Consent.init(pg:))
        }
        return try await all("SELECT * FROM consents ORDER BY user_id, client_id", Consent.init(pg:))
    }

    public func revokeConsent(userID: String, clientID: String, audit: @escaping @Sendable (Int) -> AuditEvent?) async throws -> Int? {
        try await transaction { c in
            guard try await !c.rows("DELETE FROM consents WHERE user_id = \(userID) AND client_id = \(clientID) RETURNING 1").isEmpty else {
                return nil
            }
            let revoked = try await c.rows(
                """
                UPDATE tokens SET revoked = TRUE WHERE hash IN (
                    SELECT hash FROM tokens WHERE user_id = \(userID) AND client_id = \(clientID) AND NOT revoked ORDER BY hash FOR UPDATE)
                RETURNING 1
                """
            ).count
            if let event = audit(revoked) { try await Self.insert(event, c) }
            return revoked
        }
    }
}
