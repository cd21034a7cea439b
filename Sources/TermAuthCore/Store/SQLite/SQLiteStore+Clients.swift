import Foundation
import GRDB

extension SQLiteStore {
    public func insertClient(_ client: Client, audit: AuditEvent?) async throws {
        try await run("client \(client.id)", audited: { audit }) { db in
            try db.execute(
                sql: """
                    INSERT INTO clients(id, name, secret, redirect_uris, grant_types, scopes, require_pkce, allow_plain_pkce, created_at, may_introspect,
                        id_token_alg, access_token_format, resources)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    client.id, client.name, client.secret?.encoded, client.redirectURIs.joined(separator: "\n"),
                    client.grantTypes.map(\.rawValue).joined(separator: " "), client.scopes.joined(separator: " "),
                    client.requirePKCE, client.allowPlainPKCE, client.createdAt, client.mayIntrospect,
                    client.idTokenAlgorithm.rawValue, client.accessTokenFormat.rawValue, client.resources.joined(separator: "\n"),
                ])
        }
    }

    public func updateClient(_ client: Client, audit: AuditEvent?) async throws -> Bool {
        try await run(audited: { $0 ? audit : nil }) { db in
            try db.execute(
                sql: """
                    UPDATE clients SET name = ?, redirect_uris = ?, grant_types = ?, scopes = ?, require_pkce = ?,
                        allow_plain_pkce = ?, may_introspect = ?, id_token_alg = ?, access_token_format = ?, resources = ?
                    WHERE id = ?
                    """,
                arguments: [
                    client.name, client.redirectURIs.joined(separator: "\n"), client.grantTypes.map(\.rawValue).joined(separator: " "),
                    client.scopes.joined(separator: " "), client.requirePKCE, client.allowPlainPKCE, client.mayIntrospect,
                    client.idTokenAlgorithm.rawValue, client.accessTokenFormat.rawValue, client.resources.joined(separator: "\n"), client.id,
                ])
            return db.changesCount > 0
        }
    }

    public func client(id: String) async throws -> Client? {
        try await read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM clients WHERE id = ?"), arguments: [id]).map(Client.init(row:))
        }
    }

    public func clients() async throws -> [Client] {
        try await read { db in try Row.fetchAll(db, sql: "SELECT * FROM clients ORDER BY id").map(Client.init(row:)) }
    }

    public func removeClient(id: String, audit: AuditEvent?) async throws -> Bool {
        try await run(audited: { $0 ? audit : nil }) { db in
            try db.execute(sql: "DELETE FROM clients WHERE id = ?", arguments: [id])
            guard db.changesCount > 0 else { return false }
            for records in Cascade.clientRemoval {
                try db.execute(sql: "DELETE FROM \(records.rawValue) WHERE client_id = ?", arguments: [id])
            }
            return true
        }
    }

    public func updateClientSecret(id: String, secret: SecretHash, audit: AuditEvent?) async throws -> Bool {
        try await run(audited: { $0 ? audit : nil }) { db in
            try db.execute(sql: "UPDATE clients SET secret = ? WHERE id = ? AND secret IS NOT NULL", arguments: [secret.encoded, id])
            return db.changesCount > 0
        }
    }
}
