/// The SSH keys that sign users in. Writes take the audit row that records them.
public protocol UserKeyStore: Sendable {
    /// Fails with `.duplicate` when the user already has this key.
    func insertUserKey(_ key: UserKey, audit: AuditEvent?) async throws
    func userKeys(userID: String) async throws -> [UserKey]
    func removeUserKey(userID: String, fingerprint: String, audit: AuditEvent?) async throws -> Bool
}
