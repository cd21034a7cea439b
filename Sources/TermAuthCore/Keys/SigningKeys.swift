/// `termauth keys list|rotate|retire`: the operator's view of the signing keys.
public struct SigningKeys: Sendable {
    let store: any SigningKeyStore
    let keys: KeyRing
    let wrap: KeyWrap
    let settings: Settings
    let clock: any WallClock

    /// Every published key, oldest first; a store without keys gets its first ones now.
    public func list() async throws -> [SigningKey] {
        _ = try await keys.reload()
        return try await store.signingKeys()
    }

    /// New keys sign at once; the old ones stay published until every token they signed has
    /// expired (`Settings.longestSignedLifetime`), then housekeeping drops them. Every replica
    /// picks the new key up within `KeyRing.refreshAfter`.
    @discardableResult
    public func rotate(_ algorithm: SigningAlgorithm? = nil) async throws -> [SigningKey] {
        _ = try await keys.reload()
        var added: [SigningKey] = []
        for alg in algorithm.map({ [$0] }) ?? SigningAlgorithm.allCases {
            let now = clock.now()
            let key = try KeyGeneration.generate(alg, wrap: wrap, now: now)
            let publishUntil = now + settings.longestSignedLifetime
            _ = try await store.insertSigningKey(
                key, retireOthersUntil: publishUntil,
                audit: AuditEvent(at: now, kind: .signingKeyAdded, detail: "\(alg.rawValue) \(key.kid) by rotation", origin: "cli"))
            added.append(key)
        }
        _ = try await keys.reload()
        return added
    }

    /// Withdraws a key at once, for a key that may have leaked: it is no longer published, so
    /// nothing it signed verifies any more. When it was signing, a new key takes its place first.
    public func retire(kid: String) async throws {
        guard let key = try await store.signingKeys().first(where: { $0.kid == kid }) else { throw TermAuthError.notFound("signing key \(kid)") }
        if key.isSigning {
            let now = clock.now()
            let replacement = try KeyGeneration.generate(key.algorithm, wrap: wrap, now: now)
            _ = try await store.insertSigningKey(
                replacement, retireOthersUntil: now,
                audit: AuditEvent(
                    at: now, kind: .signingKeyAdded, detail: "\(key.algorithm.rawValue) \(replacement.kid) replacing \(kid)", origin: "cli"))
        }
        let removed = try await store.removeSigningKey(
            kid: kid,
            audit: AuditEvent(at: clock.now(), kind: .signingKeyRetired, detail: "\(key.algorithm.rawValue) \(kid) withdrawn", origin: "cli"))
        guard removed else { throw TermAuthError.notFound("signing key \(kid)") }
        _ = try await keys.reload()
    }
}
