/// Mints token strings and the records that stand for them, and the ID token that goes with
/// them. Nothing is stored here: callers store the records in the same transaction as the
/// state change that justifies them.
struct TokenIssuer: Sendable {
    let settings: Settings
    let keys: KeyRing
    let issuer: IssuerURL

    /// What the tokens are for, beyond client and scope.
    struct Subject {
        var userID: String?
        /// The sign-in behind the grant; with `openid` granted it brings an ID token.
        var authentication: Authentication?
        var nonce: String?
        /// RFC 8707: the access token's audience, already checked against the client.
        var resource: String?

        static let none = Subject()
        static func user(_ id: String?, _ authentication: Authentication? = nil, nonce: String? = nil, resource: String? = nil) -> Subject {
            Subject(userID: id, authentication: authentication, nonce: nonce, resource: resource)
        }
    }

    /// Token values and their records, with nothing signed yet: a store can take the records
    /// inside its transaction while the signing (tens of microseconds) happens after it. The
    /// keys are chosen here, so the signing cannot fail once the records are stored.
    struct Prepared: Sendable {
        fileprivate enum Access: Sendable {
            case value(String)
            case jwt(AccessTokenClaims, JWSSigner)
        }

        var records: [Token]
        var scopes: ScopeSet
        fileprivate var access: Access
        fileprivate var refresh: String?
        fileprivate var ttl: Int64
        /// The ID token's claims but for `at_hash`, and its key, when one goes with the answer.
        fileprivate var idToken: (claims: IDTokenClaims, signer: JWSSigner)?
    }

    /// The keys a response to this client could need: none for opaque tokens without an ID
    /// token, so a key ring that cannot sign never stands in the way of those.
    func signers(for client: Client, withIDToken: Bool = true) async throws -> Signers {
        guard client.accessTokenFormat == .jwt || withIDToken else { return .none }
        return try await keys.signers()
    }

    /// `prepare(…, signers:)` with the signers looked up first.
    func prepare(
        client: Client, subject: Subject, scopes: ScopeSet, refreshScopes: ScopeSet? = nil, family: String = RandomToken.sequentialIdentifier(),
        codeHash: TokenHash? = nil, withRefresh: Bool, withIDToken: Bool = true, now: Int64, accessTTL: Int64? = nil
    ) async throws -> Prepared {
        try prepare(
            client: client, subject: subject, scopes: scopes, refreshScopes: refreshScopes, family: family, codeHash: codeHash,
            withRefresh: withRefresh, withIDToken: withIDToken, now: now, accessTTL: accessTTL,
            signers: try await signers(for: client, withIDToken: withIDToken))
    }

    /// The values, the records that stand for them, and the keys that will sign. Throws, before
    /// anything is stored, when a key it needs is missing. `withIDToken`: an ID token when
    /// `openid` is granted to a person; false where the answer has no place for one
    /// (`response_type=token`), so nothing is signed to be thrown away.
    func prepare(
        client: Client, subject: Subject, scopes: ScopeSet, refreshScopes: ScopeSet? = nil, family: String = RandomToken.sequentialIdentifier(),
        codeHash: TokenHash? = nil, withRefresh: Bool, withIDToken: Bool = true, now: Int64, accessTTL: Int64? = nil, signers: Signers
    ) throws -> Prepared {
        let ttl = accessTTL ?? settings.lifetimes.accessToken
        let issuer = self.issuer.value
        let access: Prepared.Access
        let accessHash: TokenHash
        switch client.accessTokenFormat {
        case .opaque:
            let value = RandomToken.sequentialSecret()
            access = .value(value)
            accessHash = TokenHash(of: value)
        case .jwt:
            let jti = RandomToken.sequentialSecret()
            accessHash = TokenHash(jti: jti)
            let claims = AccessTokenClaims(
                iss: issuer, exp: now + ttl, aud: subject.resource ?? settings.tokens.audience(issuer: issuer),
                sub: subject.userID ?? client.id, clientID: client.id, iat: now, jti: jti, scope: scopes.isEmpty ? nil : scopes.string,
                authTime: subject.authentication?.time)
            access = .jwt(claims, try signers.signer(settings.tokens.accessTokenAlgorithm))
        }
        var idToken: (claims: IDTokenClaims, signer: JWSSigner)?
        if withIDToken && scopes.contains(OpenIDScope.openid),
            let claims = idTokenClaims(client: client, subject: subject, accessToken: nil, now: now)
        {
            idToken = (claims, try signers.signer(client.idTokenAlgorithm))
        }
        var records = [
            Token(
                hash: accessHash, kind: .access, clientID: client.id, userID: subject.userID, scopes: scopes,
                issuedAt: now, expiresAt: now + ttl, family: family, codeHash: codeHash, authentication: subject.authentication,
                resource: subject.resource)
        ]
        var refresh: String?
        if withRefresh {
            let value = RandomToken.sequentialSecret()
            refresh = value
            records.append(
                Token(
                    hash: TokenHash(of: value), kind: .refresh, clientID: client.id, userID: subject.userID, scopes: refreshScopes ?? scopes,
                    issuedAt: now, expiresAt: now + settings.lifetimes.refreshToken, family: family, codeHash: codeHash,
                    authentication: subject.authentication, resource: subject.resource))
        }
        return Prepared(records: records, scopes: scopes, access: access, refresh: refresh, ttl: ttl, idToken: idToken)
    }

    /// Signs with the keys `prepare` chose, and answers; called once the records are stored.
    func response(for prepared: Prepared) throws -> TokenResponse {
        let access: String
        switch prepared.access {
        case .value(let value): access = value
        case .jwt(let claims, let signer): access = try signer.sign(claims, type: AccessTokenClaims.type)
        }
        var response = TokenResponse(accessToken: access, expiresIn: prepared.ttl, refreshToken: prepared.refresh, scope: prepared.scopes)
        if let idToken = prepared.idToken {
            var claims = idToken.claims
            claims.atHash = IDTokenClaims.accessTokenHash(access)
            response.idToken = try idToken.signer.sign(claims, type: nil)
        }
        return response
    }

    /// An ID token for a person's sign-in (nil when no person signed in); `at_hash` binds it to
    /// the access token it comes with, if any.
    /// `released`: the scopes' claims, for an ID token that comes without an access token.
    func idToken(client: Client, subject: Subject, accessToken: String?, released: UserInfoClaims? = nil, now: Int64) async throws -> String? {
        guard let claims = idTokenClaims(client: client, subject: subject, accessToken: accessToken, released: released, now: now) else { return nil }
        return try await keys.sign(claims, algorithm: client.idTokenAlgorithm)
    }

    private func idTokenClaims(client: Client, subject: Subject, accessToken: String?, released: UserInfoClaims? = nil, now: Int64) -> IDTokenClaims?
    {
        guard let userID = subject.userID, let authentication = subject.authentication else { return nil }
        var claims = IDTokenClaims(
            iss: issuer.value, sub: userID, aud: client.id, exp: now + settings.lifetimes.idToken, iat: now, authTime: authentication.time,
            nonce: subject.nonce, atHash: accessToken.map(IDTokenClaims.accessTokenHash),
            amr: authentication.methods.isEmpty ? nil : authentication.methods, azp: client.id)
        if let released {
            claims.name = released.name
            claims.preferredUsername = released.preferredUsername
            claims.updatedAt = released.updatedAt
            claims.email = released.email
            claims.emailVerified = released.emailVerified
        }
        return claims
    }
}
