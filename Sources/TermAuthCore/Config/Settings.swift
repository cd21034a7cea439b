import Foundation

/// Everything an operator can tune. Defaults are the safe ones; `SettingsFile` reads overrides from TOML.
public struct Settings: Sendable, Equatable {
    public var issuer: String?
    public var host = "127.0.0.1"
    public var port = 8080
    /// A connection with no request in progress (or one stalled mid-request) is closed after this.
    public var idleTimeoutSeconds = 30
    /// A request body must arrive whole within this, however steadily it trickles.
    public var bodyTimeoutSeconds = 10
    /// Connections beyond this wait in the kernel's accept queue instead of costing memory.
    public var maxConnections = 1000
    /// PEM files: with both, the server speaks HTTPS only.
    public var tlsCertificateFile: String?
    public var tlsKeyFile: String?
    public var lifetimes = Lifetimes()
    public var security = Security()
    public var limits = Limits()
    public var ssh = SSH()
    public var tokens = Tokens()
    /// Audit rows older than this are purged by housekeeping.
    public var auditRetainDays: Int64 = 90
    public var resourceScope = "profile"
    public var durability = Durability.normal
    /// Where the approval-code key lives; for SQLite the default is beside the database file.
    public var approvalKeyFile: String?
    /// Connections each process keeps to PostgreSQL at most (several replicas add up).
    public var postgresConnections = 16
    /// Declarative scopes and clients, created at startup when absent.
    public var scopes: [Scope] = []
    public var clients: [ClientRegistration] = []

    public init() {}

    public struct Lifetimes: Sendable, Equatable {
        /// RFC 6749 §4.1.2 recommends at most ten minutes.
        public var authorizationCode: Int64 = 600
        public var accessToken: Int64 = 3600
        public var refreshToken: Int64 = 30 * 24 * 3600
        /// How long a parked request waits for a person.
        public var request: Int64 = 600
        /// RFC 8628 §3.2: the least time a device waits between polls.
        public var devicePollInterval: Int64 = 5
        /// OpenID Connect ID tokens.
        public var idToken: Int64 = 3600
        public init() {}
    }

    public struct Security: Sendable, Equatable {
        public var passwordHashRounds = PasswordHasher.recommendedRounds
        public var maxFailedLogins = 5
        /// Failures count toward a lock only within this window.
        public var failureWindowSeconds: Int64 = 900
        public var lockoutSeconds: Int64 = 900
        /// Failed sign-ins from one address (any usernames) within the window before that
        /// address is locked out too, so one source cannot lock out every user.
        public var maxFailedLoginsPerSource = 20
        /// Wrong approval or device codes per `wrongCodeWindowSeconds`, per source and per user.
        public var maxWrongCodes = 5
        public var wrongCodeWindowSeconds: Int64 = 60
        /// PBKDF2 runs on these threads only, never on the request threads.
        public var passwordHashThreads = 1
        /// Hashes waiting for a thread; beyond this a sign-in is answered 503.
        public var passwordHashQueue = 32
        /// A failed sign-in is answered no sooner than this: its time says nothing about why it
        /// failed, and a flooding connection gets few answers per second.
        public var failedSignInMilliseconds = 300
        /// The same for a failed client authentication, whose check takes microseconds.
        public var failedClientAuthMilliseconds = 50
        public init() {}
    }

    /// Bounds on what an unauthenticated caller can make the server hold.
    public struct Limits: Sendable, Equatable {
        /// Undecided parked requests, per client, per source address, and in all.
        public var parkedPerClient = 100
        public var parkedPerSource = 100
        public var parkedTotal = 10_000
        /// `GET /authorize` requests held open until decided, in all and per source address.
        /// Half of `maxConnections`: held polls never take every connection from other callers.
        public var longPolls = 500
        public var longPollsPerSource = 20
        /// Longest `state` and `nonce` accepted at /authorize, in bytes.
        public var maxStateBytes = 1024
        public init() {}
    }

    /// What a committed token survives. Both commit before the response leaves.
    public enum Durability: String, Sendable, CaseIterable {
        /// SQLite WAL with synchronous=NORMAL: survives a process crash.
        case normal
        /// synchronous=FULL, an fsync per commit batch: survives power loss.
        case full
    }

    public var passwordHasher: PasswordHasher { PasswordHasher(rounds: security.passwordHashRounds) }
}

extension Settings {
    /// Where `termauth serve` with these settings answers: the default issuer.
    public func serverURL(host: String, port: Int) -> String {
        let scheme = tlsCertificateFile == nil ? "http" : "https"
        return "\(scheme)://\(host.contains(":") ? "[\(host)]" : host):\(port)"
    }

    /// RFC 8414 §2: an issuer is an http(s) URL without query or fragment. It is compared byte
    /// for byte (metadata, `iss` in redirects, `termauth authorize`), so it is kept in one
    /// spelling: scheme and host in lower case, no trailing slash.
    public static func issuer(_ text: String) throws(TermAuthError) -> String {
        guard let url = URLComponents(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
            let host = url.host, !host.isEmpty, url.query == nil, url.fragment == nil, url.user == nil
        else {
            throw .configuration(
                "issuer must be an http or https URL without query or fragment, such as https://auth.example.com, not \"\(Sanitized.line(text, limit: 100))\""
            )
        }
        var path = url.path
        while path.hasSuffix("/") { path.removeLast() }
        let shownHost = host.contains(":") && !host.hasPrefix("[") ? "[\(host.lowercased())]" : host.lowercased()
        return "\(scheme)://\(shownHost)" + (url.port.map { ":\($0)" } ?? "") + path
    }
}
