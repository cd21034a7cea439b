import Foundation
import PostgresNIO

extension PostgresStore {
    public func insertClient(_ client: Client, audit: AuditEvent?) async throws {
        try await transaction("client \(client.id)", audited: { audit }) { c in
            try await c.rows(
                """
                INSERT INTO clients(id, name, secret, redirect_uris, grant_types, scopes, require_pkce, allow_plain_pkce, created_at, may_introspect,
                    id_token_alg, access_token_format, resources)
                VALUES (\(client.id), \(client.name), \(client.secret?.encoded), \(client.redirectURIs.joined(separator: "\n")),
                    \(client.grantTypes.map(\.rawValue).joined(separator: " ")), \(client.scopes.joined(separator: " ")),
                    \(client.requirePKCE), \(client.allowPlainPKCE), \(client.createdAt), \(client.mayIntrospect),
                    \(client.idTokenAlgorithm.rawValue), \(client.accessTokenFormat.rawValue), \(client.resources.joined(separator: "\n")))
                """)
        }
    }

    public func updateClient(_ client: Client, audit: AuditEvent?) async throws -> Bool {
        try await transaction(audited: { $0 ? audit : nil }) { c in
            try await !c.rows(
                """
                UPDATE clients SET name = \(client.name), redirect_uris = \(client.redirectURIs.joined(separator: "\n")),
                    grant_types = \(client.grantTypes.map(\.rawValue).joined(separator: " ")), scopes = \(client.scopes.joined(separator: " ")),
                    require_pkce = \(client.requirePKCE), allow_plain_pkce = \(client.allowPlainPKCE), may_introspect = \(client.mayIntrospect),
                    id_token_alg = \(client.idTokenAlgorithm.rawValue), access_token_format = \(client.accessTokenFormat.rawValue),
                    resources = \(client.resources.joined(separator: "\n"))
                WHERE id = \(client.id)
                RETURNING 1
                """
            ).isEmpty
        }
    }

    public func client(id: String) async throws -> Client? {
        try await one("SELECT * FROM clients WHERE id = \(id)", Client.init(pg:))
    }

    public func clients() async throws -> [Client] {
        try await all("SELECT * FROM clients ORDER BY id", Client.init(pg:))
    }

    public func removeClient(id: String, audit: AuditEvent?) async throws -> Bool {
        try await transaction(audited: { $0 ? audit : nil }) { c in
            guard try await c.rows("DELETE FROM clients WHERE id = \(id) RETURNING 1").count > 0 else { return false }
            for records in Cascade.clientRemoval {
                try await c.rows("DELETE FROM \(unescaped: records.rawValue) WHERE client_id = \(id)")
            }
            return true
        }
    }

    public func updateClientSecret(id: String, secret: SecretHash, audit: AuditEvent?) async throws -> Bool {
        try await transaction(audited: { $0 ? audit : nil }) { c in
            try await !c.rows("UPDATE clients SET secret = \(secret.encoded) WHERE id = \(id) AND secret IS NOT NULL RETURNING 1").isEmpty
        }
    }
}
