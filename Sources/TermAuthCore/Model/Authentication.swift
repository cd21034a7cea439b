/// How and when a person proved who they are, carried from the sign-in to every ID token of
/// the grant (OpenID Connect Core §2: `auth_time`, `amr`), refreshes included.
public struct Authentication: Sendable, Equatable {
    /// Seconds since 1970, when the proof was given.
    public var time: Int64
    /// RFC 8176 method values: `pwd` for a password, `pop` for a proven SSH key.
    public var methods: [String]

    public init(time: Int64, methods: [String]) {
        self.time = time
        self.methods = methods
    }

    /// The stored form: the methods, space separated.
    public var methodsString: String { methods.joined(separator: " ") }

    /// Rebuilds a stored value; nil when the row has no sign-in (client credentials, `token issue`).
    public init?(time: Int64?, methods: String?) {
        guard let time else { return nil }
        self.init(time: time, methods: (methods ?? "").split(separator: " ").map(String.init))
    }
}
