import Foundation
import GRDB

extension SQLiteStore {
    public func appendAudit(_ e: AuditEvent) async throws {
        try await run { db in try Self.insert(e, db) }
    }

    static func insert(_ e: AuditEvent, _ db: Database) throws {
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
