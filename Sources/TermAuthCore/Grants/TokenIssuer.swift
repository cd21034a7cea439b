/// Mints token strings and the records that stand for them, and the ID token that goes with
/// them. Nothing is stored here: callers store the records in the same transaction as the
/// state change that justifies them.
struct TokenIssuer: Sendable {
    let settings: Settings
    let keys: KeyRing
    let issuer: IssuerURL

    struct Minted {
        var records: [Token]
        var response: TokenResponse
    }

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
    /// inside its transaction while the signing (tens of microseconds) happens outside it.
    struct Prepared: Sendable {
        fileprivate enum Access: Sendable {
            case value(String)
            case jwt(AccessTokenClaims)
        }

        var records: [Token]
        fileprivate var access: Access
        fileprivate var refresh: String?
        fileprivate var client: Client
        fileprivate var subject: Subject
        var scopes: ScopeSet
        fileprivate var ttl: Int64
        fileprivate var now: Int64
        fileprivate var withIDToken: Bool
    }

    /// For a caller that needs the answer before it stores the records (the implicit grant
    /// puts the tokens in a redirect); the others `prepare`, store, then ask for the `response`.
    /// `withIDToken`: an ID token when `openid` is granted to a person; false where the answer
    /// has no place for one (`response_type=token`), so nothing is signed to be thrown away.
    func mint(
        client: Client, subject: Subject, scopes: ScopeSet, refreshScopes: ScopeSet? = nil, family: String = RandomToken.sequentialIdentifier(),
        codeHash: TokenHash? = nil, withRefresh: Bool, withIDToken: Bool = true, now: Int64, accessTTL: Int64? = nil
    ) async throws -> Minted {
        let prepared = prepare(
            client: client, subject: subject, scopes: scopes, refreshScopes: refreshScopes, family: family, codeHash: codeHash,
            withRefresh: withRefresh, withIDToken: withIDToken, now: now, accessTTL: accessTTL)
        return Minted(records: prepared.records, response: try await response(for: prepared))
    }

    /// Tokens are signed only after their records are stored (a code is redeemed by then), so
    /// a key ring that cannot sign (another installation's key file) must refuse first.
    /// `withIDToken`: whether this grant can bring the client an ID token.
    func checkSigning(for client: Client, withIDToken: Bool) async throws {
        if client.accessTokenFormat == .jwt { try await keys.checkSigning(settings.tokens.accessTokenAlgorithm) }
        if withIDToken && (client.scopes.isEmpty || client.scopes.contains(OpenIDScope.openid)) {
            try await keys.checkSigning(client.idTokenAlgorithm)
        }
    }

    /// `mint`'s first half: the values and the records that stand for them.
    func prepare(
        client: Client, subject: Subject, scopes: ScopeSet, refreshScopes: ScopeSet? = nil, family: String = RandomToken.sequentialIdentifier(),
        codeHash: TokenHash? = nil, withRefresh: Bool, withIDToken: Bool = true, now: Int64, accessTTL: Int64? = nil
    ) -> Prepared {
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
            access = .jwt(
                AccessTokenClaims(
                    iss: issuer, exp: now + ttl, aud: subject.resource ?? settings.tokens.audience(issuer: issuer),
                    sub: subject.userID ?? client.id, clientID: client.id, iat: now, jti: jti, scope: scopes.isEmpty ? nil : scopes.string,
                    authTime: subject.authentication?.time))
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
        return Prepared(
            records: records, access: access, refresh: refresh, client: client, subject: subject, scopes: scopes, ttl: ttl, now: now,
            withIDToken: withIDToken)
    }

    /// `mint`'s second half: signs what is to be signed and answers.
    func response(for prepared: Prepared) async throws -> TokenResponse {
        let access: String
        switch prepared.access {
        case .value(let value): access = value
        case .jwt(let claims): access = try await keys.sign(claims, algorithm: settings.tokens.accessTokenAlgorithm, type: AccessTokenClaims.type)
        }
        var response = TokenResponse(accessToken: access, expiresIn: prepared.ttl, refreshToken: prepared.refresh, scope: prepared.scopes)
        if prepared.withIDToken && prepared.scopes.contains(OpenIDScope.openid) {
            response.idToken = try await idToken(client: prepared.client, subject: prepared.subject, accessToken: access, now: prepared.now)
        }
        return response
    }

    /// An ID token for a person's sign-in (nil when no person signed in); `at_hash` binds it to
    /// the access token it comes with, if any.
    /// `released`: the scopes' claims, for an ID token that comes without an access token.
    func idToken(client: Client, subject: Subject, accessToken: String?, released: UserInfoClaims? = nil, now: Int64) async throws -> String? {
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
        return try await keys.sign(claims, algorithm: client.idTokenAlgorithm)
    }
}
