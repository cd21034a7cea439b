/// What an authorization request asked beyond RFC 6749: OpenID Connect Core §3.1.2.1's
/// `nonce`, `prompt`, `max_age`, `login_hint` and `ui_locales`, and RFC 8707's `resource`.
/// Parked with the request; the strings are bounded by `AuthorizeValidator`.
public struct AuthorizationOptions: Sendable, Equatable {
    public var nonce: String?
    public var prompt: Set<Prompt> = []
    /// Seconds; a sign-in older than this must be repeated. 0 is `prompt=login`.
    public var maxAge: Int64?
    public var loginHint: String?
    /// BCP 47 tags, most preferred first.
    public var uiLocales: [String] = []
    public var resource: String?

    public init() {}

    /// Whether a sign-in made before (an SSH key proven at connection) must be repeated:
    /// `prompt=login` and `max_age=0` want one made after the request arrived, `max_age=N` one
    /// at most N seconds old now. A sign-in made for this request always does: it is as fresh
    /// as the person's answer can be.
    public func needsFreshSignIn(_ authentication: Authentication, requestedAt: Int64, now: Int64) -> Bool {
        if authentication.time >= requestedAt { return false }
        if prompt.contains(.login) || maxAge == 0 { return true }
        if let maxAge { return now - authentication.time > maxAge }
        return false
    }

    /// The first of `ui_locales` any of `scopes` has a translation for.
    public func consentLanguage(for scopes: [Scope]) -> String? {
        uiLocales.first { tag in scopes.contains { $0.description(for: tag) != $0.description } }
    }
}
