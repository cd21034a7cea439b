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
    /// at most N seconds older than the request. A sign-in made for the request always does.
    public func needsFreshSignIn(_ authentication: Authentication, requestedAt: Int64) -> Bool {
        if prompt.contains(.login) || maxAge == 0 { return authentication.time < requestedAt }
        if let maxAge { return authentication.time < requestedAt - maxAge }
        return false
    }

    /// The first of `ui_locales` any of `scopes` has a translation for.
    public func consentLanguage(for scopes: [Scope]) -> String? {
        uiLocales.first { tag in scopes.contains { $0.description(for: tag) != $0.description } }
    }
}

/// Core §3.1.2.1 `prompt` values TermAuth acts on; others are ignored.
public enum Prompt: String, Sendable, CaseIterable {
    case none, login, consent

    /// Parses the space-separated list, ignoring unknown values.
    public static func parse(_ raw: String?) -> Set<Prompt> {
        Set((raw ?? "").split(separator: " ").compactMap { Prompt(rawValue: String($0)) })
    }

    public static func string(_ set: Set<Prompt>) -> String? {
        set.isEmpty ? nil : set.map(\.rawValue).sorted().joined(separator: " ")
    }
}
