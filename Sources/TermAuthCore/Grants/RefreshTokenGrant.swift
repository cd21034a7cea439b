/// RFC 6749 §6 with rotation (RFC 9700 §4.14.2): every use returns a new refresh token, and
/// presenting a rotated one again revokes the whole family, the thief's and the owner's alike.
struct RefreshTokenGrant: GrantHandler {
    static let grantType = GrantType.refreshToken
    let store: any TokenStore

    init(store: any Store) { self.store = store }

    func exchange(_ p: OAuthParameters, client: Client, context: GrantContext) async throws -> TokenResponse {
        let hash = TokenHash(of: try p.required("refresh_token"))
        let now = context.clock.now()
        guard let old = try await store.token(hash: hash), old.kind == .refresh else {
            throw TermAuthError.invalidRefreshToken
        }
        guard old.clientID == client.id else { throw TermAuthError.invalidRefreshToken }

        var scopes = old.scopes
        if let raw = p["scope"] {
            let requested = try ScopeSet(parsing: raw)
            // §6: the new scope may narrow the original grant, never widen it.
            guard requested.isSubset(of: old.scopes) else {
                throw TermAuthError.scopeNotAllowed(requested.names.first { !old.scopes.contains($0) } ?? raw)
            }
            scopes = requested
        }

        // Core §12.2: the ID token repeats the sign-in's auth_time, with no nonce.
        let prepared = try await context.issuer.prepare(
            client: client,
            subject: .user(old.userID, old.authentication, resource: try ResourceIndicator.narrow(p["resource"], granted: old.resource, for: client)),
            scopes: scopes, refreshScopes: old.scopes,
            family: old.family,
            codeHash: old.codeHash, withRefresh: true, now: now)
        let issued = context.event(.tokenIssued, client: client, detail: "refresh, scope \"\(scopes.string)\"")
        let reused = context.event(.refreshReused, client: client, detail: "")
        let outcome = try await store.rotateRefreshToken(hash: hash, now: now, issuing: prepared.records) { outcome in
            switch outcome {
            case .rotated: return issued
            case .reused(let revoked): return reused.with(detail: "rotated refresh token presented again; \(revoked) tokens revoked")
            case .invalid: return nil
            }
        }
        switch outcome {
        case .rotated: return try context.issuer.response(for: prepared)
        case .reused: throw TermAuthError.refreshTokenReused
        case .invalid: throw TermAuthError.invalidRefreshToken
        }
    }
}
