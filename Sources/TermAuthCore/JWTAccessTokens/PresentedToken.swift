/// Finds the stored record a presented token stands for, whatever its format: an opaque token
/// by its own hash; a JWT access token by its `jti`, once its signature (by a published key),
/// issuer and `typ: at+jwt` check out. An ID token, or any other JWT, matches nothing. The one
/// place introspection, revocation, `/resource` and `/userinfo` turn a token into a record.
struct PresentedToken: Sendable {
    let keys: KeyRing
    let issuer: IssuerURL

    func hash(of token: String) async -> TokenHash? {
        guard token.utf8.count > RandomToken.sequentialSecretLength, token.contains(".") else { return TokenHash(of: token) }
        guard let verified = try? await keys.verify(token, as: AccessTokenClaims.self), verified.type == AccessTokenClaims.type,
            verified.claims.iss == issuer.value
        else { return nil }
        return TokenHash(jti: verified.claims.jti)
    }
}
