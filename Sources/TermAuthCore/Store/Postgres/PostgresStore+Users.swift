import Foundation
import PostgresNIO

extension PostgresStore {
    public func insertUser(_ user: User, audit: AuditEvent?) async throws {
        try await transaction("user \(user.username)", audited: { audit }) { c in
            try await c.rows(
                """
                INSERT INTO users(id, username, display_name, password_hash, created_at, is_operator, email, email_verified, updated_at)
                VALUES (\(user.id), \(user.username), \(user.displayName), \(user.passwordHash), \(user.createdAt), \(user.isOperator),
                    \(user.email), \(user.emailVerified), \(user.updatedAt))
                """)
        }
    }

    public func user(username: String) async throws -> User? {
        try await one("SELECT * FROM users WHERE username = \(username)", User.init(pg:))
    }

    public func user(id: String) async throws -> User? {
        try await one("SELECT * FROM users WHERE id = \(id)", User.init(pg:))
    }

    public func users() async throws -> [User] {
        try await all("SELECT * FROM users ORDER BY username", User.init(pg:))
    }

    public func removeUser(username: String, audit: AuditEvent?) async throws -> Bool {
        try await transaction(audited: { $0 ? audit : nil }) { c in
            guard let id = try await c.rows("DELETE FROM users WHERE username = \(username) RETURNING id").first?.value("id", as: String.self) else {
                return false
            }
            for records in Cascade.userRemoval {
                try await c.rows("DELETE FROM \(unescaped: records.rawValue) WHERE user_id = \(id)")
            }
            return true
        }
    }

    public func updateUser(_ user: User, audit: AuditEvent?) async throws -> Bool {
        try await transaction(audited: { $0 ? audit : nil }) { c in
            try await !c.rows(
                """
                UPDATE users SET display_name = \(user.displayName), is_operator = \(user.isOperator), email = \(user.email),
                    email_verified = \(user.emailVerified), updated_at = \(user.updatedAt)
                WHERE id = \(user.id) RETURNING 1
                """
            ).isEmpty
        }
    }

    public func updatePassword(userID: String, hash: String, audit: AuditEvent?) async throws {
        try await transaction(audited: { audit }) { c in
            try await c.rows("UPDATE users SET password_hash = \(hash) WHERE id = \(userID)")
        }
    }
}
