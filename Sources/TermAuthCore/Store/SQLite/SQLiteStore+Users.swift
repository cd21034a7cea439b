import Foundation
import GRDB

extension SQLiteStore {
    public func insertUser(_ user: User, audit: AuditEvent?) async throws {
        try await run("user \(user.username)", audited: { audit }) { db in
            try db.execute(
                sql: """
                    INSERT INTO users(id, username, display_name, password_hash, created_at, is_operator, email, email_verified, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    user.id, user.username, user.displayName, user.passwordHash, user.createdAt, user.isOperator, user.email, user.emailVerified,
                    user.updatedAt,
                ])
        }
    }

    public func user(username: String) async throws -> User? {
        try await read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM users WHERE username = ?"), arguments: [username]).map(User.init(row:))
        }
    }

    public func user(id: String) async throws -> User? {
        try await read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM users WHERE id = ?"), arguments: [id]).map(User.init(row:))
        }
    }

    public func users() async throws -> [User] {
        try await read { db in try Row.fetchAll(db, sql: "SELECT * FROM users ORDER BY username").map(User.init(row:)) }
    }

    public func removeUser(username: String, audit: AuditEvent?) async throws -> Bool {
        try await run(audited: { $0 ? audit : nil }) { db in
            guard let id = try String.fetchOne(db, sql: "SELECT id FROM users WHERE username = ?", arguments: [username]) else { return false }
            try db.execute(sql: "DELETE FROM users WHERE id = ?", arguments: [id])
            for records in Cascade.userRemoval {
                try db.execute(sql: "DELETE FROM \(records.rawValue) WHERE user_id = ?", arguments: [id])
            }
            return true
        }
    }

    public func updateUser(_ user: User, audit: AuditEvent?) async throws -> Bool {
        try await run(audited: { $0 ? audit : nil }) { db in
            try db.execute(
                sql: "UPDATE users SET display_name = ?, is_operator = ?, email = ?, email_verified = ?, updated_at = ? WHERE id = ?",
                arguments: [user.displayName, user.isOperator, user.email, user.emailVerified, user.updatedAt, user.id])
            return db.changesCount > 0
        }
    }

    public func updatePassword(userID: String, hash: String, audit: AuditEvent?) async throws {
        try await run(audited: { audit }) { db in
            try db.execute(sql: "UPDATE users SET password_hash = ? WHERE id = ?", arguments: [hash, userID])
        }
    }
}
