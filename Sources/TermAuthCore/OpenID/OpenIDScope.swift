/// The scopes of OpenID Connect Core §5.4 and §11, which the v5 migration registers (their
/// descriptions can be edited like any scope's).
public enum OpenIDScope {
    public static let openid = "openid"
    public static let profile = "profile"
    public static let email = "email"
    public static let offlineAccess = "offline_access"

    /// Core §11 with RFC 6749: a grant that names `openid` gets a refresh token only when
    /// `offline_access` was granted too; a plain OAuth grant keeps the client's refresh grant.
    public static func allowsRefresh(_ granted: ScopeSet, client: Client) -> Bool {
        guard client.allows(.refreshToken) else { return false }
        return !granted.contains(openid) || granted.contains(offlineAccess)
    }
}
