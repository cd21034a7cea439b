import Foundation
import PostgresNIO

extension PostgresStore {
    public func saveScope(_ scope: Scope) async throws {
        let translations = String(decoding: try JSONEncoder().encode(scope.translations), as: UTF8.self)
        try await run { c in
            try await c.rows(
                """
                INSERT INTO scopes(name, description, translations, required)
                VALUES (\(scope.name), \(scope.description), \(translations), \(scope.required))
                ON CONFLICT (name) DO UPDATE SET description = EXCLUDED.description,
                    translations = EXCLUDED.translations, required = EXCLUDED.required
                """)
        }
    }

    public func scopes() async throws -> [Scope] {
        try await all("SELECT * FROM scopes ORDER BY name", Scope.init(pg:))
    }

    public func scopeNames() async throws -> Set<String> {
        Set(try await all("SELECT name FROM scopes") { try $0.value("name", as: String.self) })
    }

    public func removeScope(name: String) async throws -> Bool {
        return try await count("DELETE FROM scopes WHERE name = \(name) RETURNING 1") > 0
    }
}
