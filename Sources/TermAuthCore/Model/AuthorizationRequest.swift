/// A request from `/authorize`, parked until a person decides it.
public struct AuthorizationRequest: Sendable, Equatable {
    public enum Status: String, Sendable {
        case pending, approved, denied, delivered
    }

    public var id: String
    public var clientID: String
    public var redirectURI: String
    public var responseType: ResponseType
    public var scopes: ScopeSet
    public var state: String?
    public var codeChallenge: String?
    public var codeChallengeMethod: PKCEMethod?
    /// Where the request came from (peer address), shown to whoever approves it.
    public var origin: String
    public var createdAt: Int64
    public var expiresAt: Int64
    public var status: Status
    public var userID: String?
    public var grantedScopes: ScopeSet?
    /// Device flow: seconds the device must wait between polls (RFC 8628 §3.5), and its last poll.
    public var pollInterval: Int64 = 5
    public var lastPolledAt: Int64?
    /// Whether /authorize named the redirect URI (else the one registered URI was implied):
    /// RFC 6749 §4.1.3 then wants the same value again at the token endpoint.
    public var redirectURISent = true
    /// OpenID Connect and RFC 8707 parameters.
    public var options = AuthorizationOptions()
    /// The approving person's sign-in, recorded with the decision.
    public var authentication: Authentication?

    /// The origin as parking bounds count it: an IPv6 address by its /64 (see `AttemptKey`).
    public var source: String { AttemptKey.network(origin) }

    public init(
        id: String, clientID: String, redirectURI: String, responseType: ResponseType, scopes: ScopeSet,
        state: String?, codeChallenge: String?, codeChallengeMethod: PKCEMethod?, origin: String,
        createdAt: Int64, expiresAt: Int64, status: Status = .pending, userID: String? = nil, grantedScopes: ScopeSet? = nil
    ) {
        self.id = id
        self.clientID = clientID
        self.redirectURI = redirectURI
        self.responseType = responseType
        self.scopes = scopes
        self.state = state
        self.codeChallenge = codeChallenge
        self.codeChallengeMethod = codeChallengeMethod
        self.origin = origin
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.status = status
        self.userID = userID
        self.grantedScopes = grantedScopes
    }
}

/// What a parked request will produce: a code (RFC 6749 §4.1), a token in the fragment
/// (implicit, §4.2), or tokens for a polling device (RFC 8628).
public enum ResponseType: String, Sendable {
    case code
    case token
    /// OpenID Connect Core §3.2: an ID token alone, or with an access token, in the fragment.
    case idToken = "id_token"
    case idTokenToken = "id_token token"
    case deviceCode = "device_code"
}
