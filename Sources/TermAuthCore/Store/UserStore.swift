/// Writes take the audit row that records them, written in the same transaction when the write
/// changed something.
public protocol UserStore: Sendable {
    func insertUser(_ user: User, audit: AuditEvent?) async throws
    func user(username: String) async throws -> User?
    func user(id: String) async throws -> User?
    func users() async throws -> [User]
    /// Removes the user with what `Cascade.userRemoval` names, in one transaction.
    func removeUser(username: String, audit: AuditEvent?) async throws -> Bool
    func updatePassword(userID: String, hash: String, audit: AuditEvent?) async throws
    /// Replaces the display name and operator mark. False when there is no such user.
    func updateUser(_ user: User, audit: AuditEvent?) async throws -> Bool
}
