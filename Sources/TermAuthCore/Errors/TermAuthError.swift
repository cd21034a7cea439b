/// Every way the core refuses something. Front ends never invent OAuth codes
/// themselves: they ask `oauthCode` (below), so the mapping lives in one place.
public enum TermAuthError: Error, Equatable, Sendable {
    // request shape
    case missingParameter(String)
    case repeatedParameter(String)
    case malformedParameter(String, reason: String)
    case unsupportedResponseType(String)
    case unsupportedGrantType(String)

    // clients
    case unknownClient
    case clientAuthenticationFailed
    case clientAuthenticationAmbiguous
    case grantNotAllowed(GrantType)
    case unregisteredRedirectURI
    case invalidRedirectURI(String)

    // scopes
    case unknownScope(String)
    case scopeNotAllowed(String)

    // PKCE
    case pkceRequired
    case pkcePlainNotAllowed
    case pkceMismatch
    case invalidCodeVerifier

    // codes and tokens
    case invalidCode
    case codeReused
    case codeExpired
    case codeMismatch(String)
    case invalidRefreshToken
    case refreshTokenReused
    case invalidAccessToken
    case invalidIDToken
    case insufficientScope(required: String)

    // device flow (RFC 8628 §3.5)
    case authorizationPending
    case slowDown(interval: Int64)
    case deviceCodeExpired
    case invalidDeviceCode
    case tooManyWrongCodes(retryAfter: Int64)

    // introspection and revocation
    case tokenOfAnotherClient
    case introspectionNotAllowed

    // OpenID Connect Core §3.1.2.6 and RFC 8707 §2
    case loginRequired
    case consentRequired
    case requestObjectNotSupported
    case requestURINotSupported
    case resourceNotAllowed(String)

    // people and requests
    case unknownRequest
    case requestExpired
    case requestAlreadyDecided
    case invalidCredentials
    case accessDenied

    // administration
    case duplicate(String)
    case notFound(String)
    case invalidArgument(String)
    case storage(String)
    /// A bound on what callers may make the server hold or do was reached; retry later.
    case overloaded(String, retryAfter: Int64)
    /// The server is stopping; the client should retry (against this server once restarted, or another).
    case shuttingDown
    case configuration(String)
}

extension TermAuthError {
    /// The one mapping from domain refusals to OAuth error codes.
    public var oauthCode: OAuthErrorCode {
        switch self {
        case .missingParameter, .repeatedParameter, .malformedParameter, .pkceRequired,
            .pkcePlainNotAllowed, .invalidCodeVerifier, .clientAuthenticationAmbiguous,
            .invalidRedirectURI, .unregisteredRedirectURI, .invalidArgument:
            return .invalidRequest
        case .unsupportedResponseType: return .unsupportedResponseType
        case .unsupportedGrantType: return .unsupportedGrantType
        case .unknownClient, .clientAuthenticationFailed: return .invalidClient
        case .grantNotAllowed: return .unauthorizedClient
        case .unknownScope, .scopeNotAllowed: return .invalidScope
        case .pkceMismatch, .invalidCode, .codeReused, .codeExpired, .codeMismatch,
            .invalidRefreshToken, .refreshTokenReused, .invalidCredentials:
            return .invalidGrant
        case .invalidAccessToken, .invalidIDToken: return .invalidToken
        case .authorizationPending: return .authorizationPending
        case .slowDown: return .slowDown
        case .deviceCodeExpired: return .expiredToken
        case .invalidDeviceCode: return .invalidGrant
        case .tooManyWrongCodes: return .slowDown
        case .tokenOfAnotherClient, .introspectionNotAllowed: return .unauthorizedClient
        case .insufficientScope: return .insufficientScope
        case .accessDenied, .unknownRequest, .requestExpired, .requestAlreadyDecided:
            return .accessDenied
        case .duplicate, .notFound, .configuration: return .invalidRequest
        case .loginRequired: return .loginRequired
        case .consentRequired: return .consentRequired
        case .requestObjectNotSupported: return .requestNotSupported
        case .requestURINotSupported: return .requestURINotSupported
        case .resourceNotAllowed: return .invalidTarget
        case .storage, .shuttingDown, .overloaded: return .temporarilyUnavailable
        }
    }

    /// Human-readable and safe to show to the caller: never contains a secret.
    public var description: String {
        switch self {
        case .missingParameter(let p): return "missing parameter: \(p)"
        case .repeatedParameter(let p): return "parameter sent more than once: \(p)"
        case .malformedParameter(let p, let reason): return "malformed parameter \(p): \(reason)"
        case .unsupportedResponseType(let t): return "unsupported response_type: \(t)"
        case .unsupportedGrantType(let t): return "unsupported grant_type: \(t)"
        case .unknownClient: return "unknown client"
        case .clientAuthenticationFailed: return "client authentication failed"
        case .clientAuthenticationAmbiguous: return "more than one client authentication method used"
        case .grantNotAllowed(let g): return "client is not allowed the grant \(g.rawValue)"
        case .unregisteredRedirectURI: return "redirect_uri is not registered for this client"
        case .invalidRedirectURI(let r): return "invalid redirect URI: \(r)"
        case .unknownScope(let s): return "unknown scope: \(s)"
        case .scopeNotAllowed(let s): return "scope not allowed for this client: \(s)"
        case .pkceRequired: return "PKCE code_challenge required (S256)"
        case .pkcePlainNotAllowed: return "code_challenge_method plain is not allowed for this client; use S256"
        case .pkceMismatch: return "code_verifier does not match the code_challenge"
        case .invalidCodeVerifier: return "code_verifier must be 43 to 128 printable ASCII characters"
        case .invalidCode: return "authorization code is invalid"
        case .codeReused: return "authorization code was already used; tokens issued from it are revoked"
        case .codeExpired: return "authorization code has expired"
        case .codeMismatch(let what): return "authorization code was issued for a different \(what)"
        case .invalidRefreshToken: return "refresh token is invalid, expired or revoked"
        case .refreshTokenReused: return "refresh token was already used; its token family is revoked"
        case .invalidAccessToken: return "access token is invalid, expired or revoked"
        case .invalidIDToken: return "ID token is invalid or expired"
        case .insufficientScope(let s): return "the token lacks the scope \(s)"
        case .authorizationPending: return "the user has not decided yet; poll again after the interval"
        case .slowDown(let interval): return "polling too fast; wait at least \(interval) seconds between polls"
        case .deviceCodeExpired: return "the device code has expired; start again"
        case .invalidDeviceCode: return "device code is invalid or was already used"
        case .tooManyWrongCodes(let seconds): return "too many wrong codes; wait \(seconds) seconds before trying again"
        case .tokenOfAnotherClient: return "the token was issued to another client"
        case .introspectionNotAllowed: return "this client is not registered for introspection (termauth client add --introspect)"
        case .loginRequired: return "prompt=none, but a person must sign in: TermAuth keeps no browser session"
        case .consentRequired: return "prompt=none, but a person must consent"
        case .requestObjectNotSupported: return "request objects (the request parameter) are not supported"
        case .requestURINotSupported: return "request_uri is not supported"
        case .resourceNotAllowed(let r): return "resource not allowed for this client: \(r)"
        case .unknownRequest: return "no pending authorization request with that code"
        case .requestExpired: return "the authorization request has expired"
        case .requestAlreadyDecided: return "the authorization request was already decided"
        case .invalidCredentials: return "incorrect username or password, or the account is temporarily locked"
        case .accessDenied: return "the resource owner denied the request"
        case .duplicate(let what): return "\(what) already exists"
        case .notFound(let what): return "\(what) not found"
        case .invalidArgument(let why): return why
        case .storage(let why): return "storage unavailable: \(why)"
        case .overloaded(let what, let seconds): return "too many \(what) at once; try again in \(seconds) seconds"
        case .shuttingDown: return "the server is shutting down; try again"
        case .configuration(let why): return why
        }
    }
}

extension TermAuthError {
    /// Seconds a caller should wait before trying again (`Retry-After`), for refusals that pass.
    public var retryAfter: Int64? {
        switch self {
        case .overloaded(_, let seconds), .tooManyWrongCodes(let seconds): return seconds
        case .storage, .shuttingDown: return 1
        default: return nil
        }
    }
}
