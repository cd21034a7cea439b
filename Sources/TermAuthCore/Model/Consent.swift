/// A remembered decision: this user let this client have these scopes.
public struct Consent: Sendable, Equatable {
    public var userID: String
    public var clientID: String
    public var scopes: ScopeSet
    public var grantedAt: Int64

    public init(userID: String, clientID: String, scopes: ScopeSet, grantedAt: Int64) {
        self.userID = userID
        self.clientID = clientID
        self.scopes = scopes
        self.grantedAt = grantedAt
    }
}

extension Consent {
    /// A new decision only widens what was remembered: scopes granted before stay granted until
    /// the consent is revoked as a whole.
    public func adding(to previous: Consent?) -> Consent {
        var merged = self
        merged.scopes = (previous?.scopes ?? ScopeSet([])).union(scopes)
        return merged
    }
}
