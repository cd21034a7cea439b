/// Client authentication: one method per request, constant-time secret checks, and no hint
/// in the error of whether the client exists.
public struct ClientAuthenticator: Sendable {
    let store: any ClientStore
    /// A refusal is answered no sooner than this after the check began, so an unknown client,
    /// a wrong secret and a public client sending one all take the same time.
    var failureFloor: Duration = .zero
    private static let standIn = SecretHash.make(for: RandomToken.secret())

    public func authenticate(_ credentials: ClientCredentials) async throws -> Client {
        let started = ContinuousClock.now
        do {
            return try await check(credentials)
        } catch TermAuthError.clientAuthenticationFailed {
            try? await Task.sleep(until: started + failureFloor, clock: .continuous)
            throw TermAuthError.clientAuthenticationFailed
        }
    }

    private func check(_ credentials: ClientCredentials) async throws -> Client {
        let id: String
        let secret: String?
        switch credentials {
        case .none: throw TermAuthError.clientAuthenticationFailed
        case .basic(let i, let s): (id, secret) = (i, s)
        case .body(let i, let s): (id, secret) = (i, s)
        }
        guard let client = try await store.client(id: id) else {
            // Spend the time a real check would, so timing does not say which ids exist: a check
            // against a hash of the same kind, already keyed as cached clients' hashes are.
            _ = Self.standIn.matches(secret ?? "")
            throw TermAuthError.clientAuthenticationFailed
        }
        switch (client.secret, secret) {
        case (nil, nil): return client
        case (nil, .some(let given)):
            // A public client has no secret to check; accepting one would suggest it does. The
            // stand-in check keeps this refusal as slow as a wrong secret.
            _ = Self.standIn.matches(given)
            throw TermAuthError.clientAuthenticationFailed
        case (.some(let hash), nil):
            _ = hash.matches("")
            throw TermAuthError.clientAuthenticationFailed
        case (.some(let hash), .some(let given)):
            if hash.matches(given) { return client }
            // The cached record may predate a `client reset-secret`: check the stored one.
            guard let fresh = try await store.freshClient(id: id), let current = fresh.secret, current.matches(given) else {
                throw TermAuthError.clientAuthenticationFailed
            }
            return fresh
        }
    }
}
