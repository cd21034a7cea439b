/// The keys ID tokens and JWT access tokens are signed with, shared by every replica.
public protocol SigningKeyStore: Sendable {
    /// Every key still published, signing or retired, oldest first.
    func signingKeys() async throws -> [SigningKey]
    /// Adds `key`. With `retireOthersUntil`, the keys of its algorithm that still sign stop
    /// signing and stay published until then (a rotation). Without it, the key is added only
    /// when its algorithm has no signing key, so replicas starting together create one between
    /// them; false when one was already there.
    func insertSigningKey(_ key: SigningKey, retireOthersUntil publishUntil: Int64?, audit: AuditEvent?) async throws -> Bool
    /// Withdraws a key at once: no longer published, so nothing it signed verifies any more.
    func removeSigningKey(kid: String, audit: AuditEvent?) async throws -> Bool
}
