/// `termauth keys list|rotate|retire`: the operator's view of the signing keys.
public struct SigningKeys: Sendable {
    let store: any SigningKeyStore
    let keys: KeyRing
    let wrap: KeyWrap
    let settings: Settings
    let clock: any WallClock

    /// Every stored key, oldest first, and which of them this process cannot use (another
    /// installation's key file); a store without keys gets its first ones now.
    public func list() async throws -> (keys: [SigningKey], unusable: Set<String>) {
        let snapshot = try await keys.reload()
        return (try await store.signingKeys(), Set(snapshot.unusable))
    }

    /// A rotation or withdrawal run with the wrong key file would leave every replica with a
    /// signing key none of them can open: refused before anything is written.
    private func checkKeyFile() async throws {
        let snapshot = try await keys.reload()
        let stored = try await store.signingKeys()
        if let foreign = stored.first(where: { $0.isSigning && snapshot.unusable.contains($0.kid) }) {
            throw TermAuthError.configuration(
                "this installation's key file does not open signing key \(foreign.kid): run with the settings the servers use (storage.approval_key_file)"
            )
        }
    }

    /// New keys sign at once; the old ones stay published until every token they signed has
    /// expired (`Settings.longestSignedLifetime`), then housekeeping drops them. Every replica
    /// picks the new key up within `KeyRing.refreshAfter`.
    @discardableResult
    public func rotate(_ algorithm: SigningAlgorithm? = nil) async throws -> [SigningKey] {
        try await checkKeyFile()
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
        try await checkKeyFile()
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
