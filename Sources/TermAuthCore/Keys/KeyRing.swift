import Foundation
import JWTKit
import Synchronization

/// The signing keys as this process sees them: read from the store, shared by every replica,
/// and read again every `refreshAfter`, so a rotation anywhere reaches every replica within
/// seconds and without a restart. The first use creates any key the store lacks.
public actor KeyRing {
    struct Snapshot: Sendable {
        /// Verifies: every published key, public halves for the retired ones.
        let collection: JWTKeyCollection
        /// The key each algorithm signs with now: the newest that was not retired.
        let signing: [SigningAlgorithm: JWSSigner]
        /// Every key still published, by kid.
        let published: [String: SigningKey]
        /// Stored keys this process cannot use (another installation's key file, a damaged row).
        let unusable: [String]
        let loadedAt: ContinuousClock.Instant
    }

    static let refreshAfter: Duration = .seconds(2)
    /// An unknown kid reads the store again at most this often: a kid a replica has just
    /// rotated to verifies here at once, and a flood of made-up kids costs one read a second.
    static let unknownKidRetry: Duration = .seconds(1)

    private let store: any SigningKeyStore
    private let wrap: KeyWrap
    private let clock: any WallClock
    /// Read without a hop onto the actor: every token signed or checked looks here first.
    private nonisolated let snapshot = Mutex<Snapshot?>(nil)
    private var loading: Task<Snapshot, any Error>?

    init(store: any SigningKeyStore, wrap: KeyWrap, clock: any WallClock) {
        self.store = store
        self.wrap = wrap
        self.clock = clock
    }

    nonisolated func current() async throws -> Snapshot {
        let now = ContinuousClock.now
        if let fresh = snapshot.withLock({ $0 }), now - fresh.loadedAt < Self.refreshAfter { return fresh }
        return try await reload()
    }

    /// The snapshot when it knows `kid`, else a fresh one if the last is old enough.
    nonisolated func knowing(_ kid: String) async throws -> Snapshot {
        let known = try await current()
        if known.published[kid] != nil || ContinuousClock.now - known.loadedAt < Self.unknownKidRetry { return known }
        return try await reload()
    }

    /// One read at a time, shared by every caller that finds the snapshot stale. When the
    /// store cannot be read, the last good keys keep serving until the next try.
    func reload() async throws -> Snapshot {
        if let loading { return try await loading.value }
        let task = Task { try await Self.load(store: store, wrap: wrap, clock: clock) }
        loading = task
        defer { loading = nil }
        do {
            let loaded = try await task.value
            snapshot.withLock { $0 = loaded }
            return loaded
        } catch {
            guard let last = snapshot.withLock({ $0 }) else { throw error }
            let kept = Snapshot(
                collection: last.collection, signing: last.signing, published: last.published, unusable: last.unusable, loadedAt: .now)
            snapshot.withLock { $0 = kept }
            return kept
        }
    }

    private static func load(store: any SigningKeyStore, wrap: KeyWrap, clock: any WallClock) async throws -> Snapshot {
        var keys = try await store.signingKeys()
        let missing = SigningAlgorithm.allCases.filter { alg in !keys.contains { $0.algorithm == alg && $0.isSigning } }
        if !missing.isEmpty {
            for alg in missing {
                let key = try KeyGeneration.generate(alg, wrap: wrap, now: clock.now())
                _ = try await store.insertSigningKey(
                    key, retireOthersUntil: nil,
                    audit: AuditEvent(at: key.createdAt, kind: .signingKeyAdded, detail: "\(alg.rawValue) \(key.kid), the first of its algorithm"))
            }
            keys = try await store.signingKeys()
        }
        let collection = JWTKeyCollection()
        var signing: [SigningAlgorithm: JWSSigner] = [:]
        var published: [String: SigningKey] = [:]
        var unusable: [String] = []
        for key in keys {
            // A row is used only when its kid is its public key's thumbprint, and a signing key
            // only when this installation's key file opens it and its public half is the
            // published one: a row edited in the database alone is refused, not published.
            let kid = JWKIdentifier(string: key.kid)
            do {
                guard key.publicKey.thumbprint == key.kid else { throw TermAuthError.storage("kid is not its key's thumbprint") }
                if key.isSigning {
                    let pem = String(decoding: try wrap.unwrap(key.wrappedPrivateKey, purpose: SigningKey.purpose(key.kid)), as: UTF8.self)
                    switch key.algorithm {
                    case .es256:
                        let privateKey = try ES256PrivateKey(pem: pem)
                        guard PublicJWK(es256: privateKey.publicKey) == key.publicKey else { throw TermAuthError.storage("public half differs") }
                        await collection.add(ecdsa: privateKey, kid: kid)
                    case .rs256:
                        let privateKey = try Insecure.RSA.PrivateKey(pem: pem)
                        guard try PublicJWK(rs256: privateKey.publicKey) == key.publicKey else { throw TermAuthError.storage("public half differs") }
                        await collection.add(rsa: privateKey, digestAlgorithm: .sha256, kid: kid)
                    }
                    // Oldest first: the newest signing key of each algorithm wins.
                    signing[key.algorithm] = try JWSSigner(
                        kid: key.kid, algorithm: await collection.getKey(for: kid), types: [JWSSigner.jwtType, AccessTokenClaims.type])
                } else {
                    // A retired key only checks what it signed: its public half is enough.
                    switch key.algorithm {
                    case .es256:
                        await collection.add(ecdsa: try ES256PublicKey(parameters: (x: key.publicKey.x ?? "", y: key.publicKey.y ?? "")), kid: kid)
                    case .rs256:
                        await collection.add(
                            rsa: try Insecure.RSA.PublicKey(modulus: key.publicKey.n ?? "", exponent: key.publicKey.e ?? ""),
                            digestAlgorithm: .sha256,
                            kid: kid)
                    }
                }
                published[key.kid] = key
            } catch {
                unusable.append(key.kid)
            }
        }
        return Snapshot(collection: collection, signing: signing, published: published, unusable: unusable, loadedAt: .now)
    }

    // MARK: use

    /// Signs `payload` with the algorithm's current key; `type` is the header's `typ`.
    public nonisolated func sign(_ payload: some JWTPayload, algorithm: SigningAlgorithm, type: String? = nil) async throws -> String {
        try await signers().signer(algorithm).sign(payload, type: type)
    }

    /// The keys that sign now, for a caller that signs after it has stored something.
    nonisolated func signers() async throws -> Signers {
        Signers(byAlgorithm: try await current().signing)
    }

    /// Checks a JWT this server signed: its `kid` must name a published key (looked up here,
    /// since jwt-kit falls back to a default key for an unknown one), its `alg` that key's.
    /// Returns the claims and the header's `typ`.
    public nonisolated func verify<Claims: JWTPayload>(_ token: String, as: Claims.Type) async throws -> (claims: Claims, type: String?) {
        guard let header = JOSEHeader(token: token), let kid = header.kid else { throw TermAuthError.invalidAccessToken }
        let keys = try await knowing(kid)
        guard let key = keys.published[kid], key.algorithm.rawValue == header.alg else { throw TermAuthError.invalidAccessToken }
        do {
            return (try await keys.collection.verify(token, as: Claims.self), header.typ)
        } catch {
            throw TermAuthError.invalidAccessToken
        }
    }

    /// The published keys (RFC 7517 §5), public members only.
    public nonisolated func publicKeySet() async throws -> [PublicJWK] {
        try await current().published.values.sorted { ($0.createdAt, $0.kid) < ($1.createdAt, $1.kid) }.map(\.publicKey)
    }
}
