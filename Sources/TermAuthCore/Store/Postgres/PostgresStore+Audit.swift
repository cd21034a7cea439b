import Foundation
import PostgresNIO

extension PostgresStore {
    public func appendAudit(_ event: AuditEvent) async throws {
        try await run { c in try await Self.insert(event, c) }
    }

    static func insert(_ e: AuditEvent, _ c: PostgresConnection) async throws {
        try await c.rows(
            """
            INSERT INTO audit(at, kind, client_id, username, detail, origin)
            VALUES (\(e.at), \(e.kind.rawValue), \(e.clientID), \(e.username), \(e.detail), \(e.origin))
            """)
    }

    public func recentAudit(limit: Int) async throws -> [AuditEvent] {
        try await all(
            "SELECT * FROM (SELECT * FROM audit ORDER BY id DESC LIMIT \(Int64(limit))) AS newest ORDER BY id", AuditEvent.init(pg:))
    }
}
