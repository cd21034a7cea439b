/// RFC 6749 §4.1.3 with RFC 7636: the code is bound to its client, redirect URI and PKCE
/// challenge, and redeemable once. A second redemption revokes what the first one got.
struct AuthorizationCodeGrant: GrantHandler {
    static let grantType = GrantType.authorizationCode
    let store: any CodeStore

    init(store: any Store) { self.store = store }

    func exchange(_ p: OAuthParameters, client: Client, context: GrantContext) async throws -> TokenResponse {
        let hash = TokenHash(of: try p.required("code"))
        let now = context.clock.now()
        let issuer = context.issuer
        let issued = context.event(.tokenIssued, client: client, detail: "")
        let reused = context.event(.codeReused, client: client, detail: "")
        let signers = try await issuer.signers(for: client)
        // The code is checked and its tokens made inside the redemption's transaction; only the
        // signing waits until it has committed. The audit row shares that write: one commit per exchange.
        let (outcome, redeemed) = try await store.redeemCode(
            hash: hash, now: now,
            issue: { code in
                try Self.check(code, p, client: client)
                // Redeem even an expired code, so a late replay still counts as reuse.
                guard code.expiresAt > now else { return CodeIssue(tokens: [], value: Redeemed(prepared: nil)) }
                let prepared = try issuer.prepare(
                    client: client,
                    subject: .user(
                        code.userID, code.authentication, nonce: code.nonce,
                        resource: try ResourceIndicator.narrow(p["resource"], granted: code.resource, for: client)),
                    scopes: code.scopes, codeHash: hash, withRefresh: OpenIDScope.allowsRefresh(code.scopes, client: client), now: now,
                    signers: signers)
                return CodeIssue(tokens: prepared.records, value: Redeemed(prepared: prepared))
            },
            audit: { outcome, redeemed in
                switch outcome {
                case .redeemed:
                    guard let prepared = redeemed?.prepared else { return nil }
                    return issued.with(detail: "authorization code, scope \"\(prepared.scopes.string)\"")
                case .reused(let revoked): return reused.with(detail: "code presented again; \(revoked) tokens revoked")
                case .unknown: return nil
                }
            })
        switch outcome {
        case .redeemed:
            guard let prepared = redeemed?.prepared else { throw TermAuthError.codeExpired }
            return try issuer.response(for: prepared)
        case .reused:
            throw TermAuthError.codeReused
        case .unknown:
            throw TermAuthError.invalidCode
        }
    }

    /// What a redemption made: nil for an expired code, which is used up but buys nothing.
    private struct Redeemed: Sendable {
        var prepared: TokenIssuer.Prepared?
    }

    /// Whether this request may redeem the code at all; a refusal leaves the code as it was.
    private static func check(_ code: AuthorizationCode, _ p: OAuthParameters, client: Client) throws {
        guard code.clientID == client.id else { throw TermAuthError.codeMismatch("client") }

        // §4.1.3: a redirect_uri the authorization request named must be repeated, identical,
        // however many URIs the client has; one it implied may be omitted.
        if code.redirectURI.isEmpty {
            if let redirect = p["redirect_uri"], !client.redirectURIs.contains(redirect) { throw TermAuthError.codeMismatch("redirect_uri") }
        } else {
            guard let redirect = p["redirect_uri"] else { throw TermAuthError.missingParameter("redirect_uri") }
            guard redirect == code.redirectURI else { throw TermAuthError.codeMismatch("redirect_uri") }
        }

        if let challenge = code.codeChallenge, let method = code.codeChallengeMethod {
            guard let verifier = p["code_verifier"] else { throw TermAuthError.missingParameter("code_verifier") }
            try PKCE.verify(verifier: verifier, challenge: challenge, method: method)
        } else if p["code_verifier"] != nil {
            // RFC 9700 §2.1.1: a verifier for a code issued without a challenge is a downgrade attempt.
            throw TermAuthError.pkceMismatch
        }
    }
}
