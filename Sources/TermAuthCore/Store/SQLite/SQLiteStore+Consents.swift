import Foundation
import GRDB

extension SQLiteStore {
    public func consent(userID: String, clientID: String) async throws -> Consent? {
        try await read { db in try Self.consent(db, userID: userID, clientID: clientID) }
    }

    static func consent(_ db: Database, userID: String, clientID: String) throws -> Consent? {
        try Row.fetchOne(
            db.cachedStatement(sql: "SELECT * FROM consents WHERE user_id = ? AND client_id = ?"), arguments: [userID, clientID]
        ).map(Consent.init(row:))
    }

    public func rememberConsent(_ consent: Consent) async throws {
        try await run { db in try Self.remember(consent, db) }
    }

    /// The single writer makes this read-then-write atomic.
    static func remember(_ consent: Consent, _ db: Database) throws {
        let merged = consent.adding(to: try Self.consent(db, userID: consent.userID, clientID: consent.clientID))
        try db.execute(
            sql: "INSERT OR REPLACE INTO consents(user_id, client_id, scope, granted_at) VALUES (?, ?, ?, ?)",
            arguments: [merged.userID, merged.clientID, merged.scopes.string, merged.grantedAt])
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

    public func revokeConsent(userID: String, clientID: String, audit: @escaping @Sendable (Int) -> AuditEvent?) async throws -> Int? {
        try await run { db in
            try db.execute(sql: "DELETE FROM consents WHERE user_id = ? AND client_id = ?", arguments: [userID, clientID])
            guard db.changesCount > 0 else { return nil }
            try db.execute(sql: "UPDATE tokens SET revoked = 1 WHERE user_id = ? AND client_id = ? AND revoked = 0", arguments: [userID, clientID])
            let revoked = db.changesCount
            if let event = audit(revoked) { try Self.insert(event, db) }
            return revoked
        }
    }
}
