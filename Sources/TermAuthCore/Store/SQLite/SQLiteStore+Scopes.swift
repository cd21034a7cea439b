import Foundation
import GRDB

extension SQLiteStore {
    public func saveScope(_ scope: Scope) async throws {
        let translations = String(decoding: try JSONEncoder().encode(scope.translations), as: UTF8.self)
        try await run { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO scopes(name, description, translations, required) VALUES (?, ?, ?, ?)",
                arguments: [scope.name, scope.description, translations, scope.required])
        }
    }

    public func scopes() async throws -> [Scope] {
        try await read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM scopes ORDER BY name")).map(Scope.init(row:))
        }
    }

    public func scopeNames() async throws -> Set<String> {
        try await read { db in Set(try String.fetchAll(db.cachedStatement(sql: "SELECT name FROM scopes"))) }
    }

    public func removeScope(name: String) async throws -> Bool {
        return try await run { db in
            try db.execute(sql: "DELETE FROM scopes WHERE name = ?", arguments: [name])
            return db.changesCount > 0
        }
    }
}
