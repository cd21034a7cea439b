/// Mints token strings and the records that stand for them. Nothing is stored here: callers
/// store the records in the same transaction as the state change that justifies them.
struct TokenIssuer: Sendable {
    let settings: Settings

    struct Minted {
        var records: [Token]
        var response: TokenResponse
    }

    func mint(
        client: Client, userID: String?, scopes: ScopeSet, refreshScopes: ScopeSet? = nil, family: String = RandomToken.sequentialIdentifier(),
        codeHash: TokenHash? = nil, withRefresh: Bool, now: Int64, accessTTL: Int64? = nil
    ) -> Minted {
        let ttl = accessTTL ?? settings.lifetimes.accessToken
        let access = RandomToken.sequentialSecret()
        var records = [
            Token(
                hash: TokenHash(of: access), kind: .access, clientID: client.id, userID: userID, scopes: scopes,
                issuedAt: now, expiresAt: now + ttl, family: family, codeHash: codeHash)
        ]
        var refresh: String?
        if withRefresh {
            let value = RandomToken.sequentialSecret()
            refresh = value
            records.append(
                Token(
                    hash: TokenHash(of: value), kind: .refresh, clientID: client.id, userID: userID, scopes: refreshScopes ?? scopes,
                    issuedAt: now, expiresAt: now + settings.lifetimes.refreshToken, family: family, codeHash: codeHash))
        }
        return Minted(records: records, response: TokenResponse(accessToken: access, expiresIn: ttl, refreshToken: refresh, scope: scopes))
    }
}
