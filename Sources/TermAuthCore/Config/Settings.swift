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
    public var lifetimes = Lifetimes()
    public var security = Security()
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
        public init() {}
    }

    public struct Security: Sendable, Equatable {
        public var passwordHashRounds = PasswordHasher.recommendedRounds
        public var maxFailedLogins = 5
        /// Failures count toward a lock only within this window.
        public var failureWindowSeconds: Int64 = 900
        public var lockoutSeconds: Int64 = 900
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
