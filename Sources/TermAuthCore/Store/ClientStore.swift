/// Writes take the audit row that records them, written in the same transaction when the write
/// changed something.
public protocol ClientStore: Sendable {
    func insertClient(_ client: Client, audit: AuditEvent?) async throws
    /// May answer from a cache up to a second old (see `CachingStore`).
    func client(id: String) async throws -> Client?
    /// Always from the database: for when a cached answer was refused.
    func freshClient(id: String) async throws -> Client?
    func clients() async throws -> [Client]
    /// Removes the client with what `Cascade.clientRemoval` names, in one transaction.
    func removeClient(id: String, audit: AuditEvent?) async throws -> Bool
    func updateClientSecret(id: String, secret: SecretHash, audit: AuditEvent?) async throws -> Bool
    /// Replaces everything but the id, secret and creation time. False when there is no such client.
    func updateClient(_ client: Client, audit: AuditEvent?) async throws -> Bool
}

extension ClientStore {
    /// An engine reads the database every time; only a cache in front of it needs to tell the two apart.
    public func freshClient(id: String) async throws -> Client? { try await client(id: id) }
}
