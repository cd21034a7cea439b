/// An `/authorize` request that passed every check and may be parked.
public struct ValidatedAuthorization: Sendable, Equatable {
    public let client: Client
    public let redirectURI: String
    public let responseType: ResponseType
    public let scopes: ScopeSet
    public let state: String?
    public let codeChallenge: String?
    public let codeChallengeMethod: PKCEMethod?
    /// False when the one registered redirect URI was implied by its absence.
    public var redirectURISent = true
    public var options = AuthorizationOptions()
}

/// Why an `/authorize` request was refused, and whether the client may be told by redirect.
public enum AuthorizeRejection: Error, Sendable, Equatable {
    /// The client or redirect URI could not be trusted: show an error, never redirect (RFC 6749 §4.1.2.1).
    case showError(TermAuthError)
    /// The redirect URI is trusted: send the error to it, with the state.
    case redirect(to: String, error: TermAuthError, state: String?)
    /// The same for the implicit grant, whose answers travel in the fragment.
    case redirectInFragment(to: String, error: TermAuthError, state: String?)

    /// Where the error goes, for the redirecting cases; `issuer` is this server's (RFC 9207).
    public func redirectURL(issuer: String?) -> String? {
        switch self {
        case .showError: return nil
        case .redirect(let uri, let error, let state):
            return RedirectBuilder(base: uri, state: state, issuer: issuer).error(error)
        case .redirectInFragment(let uri, let error, let state):
            return RedirectBuilder(base: uri, state: state, inFragment: true, issuer: issuer).error(error)
        }
    }

    public var error: TermAuthError {
        switch self {
        case .showError(let e), .redirect(_, let e, _), .redirectInFragment(_, let e, _): return e
        }
    }
}
