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

public enum ResponseType: String, Sendable {
    case code
}
