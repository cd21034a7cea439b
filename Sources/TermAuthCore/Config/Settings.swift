/// Everything an operator can tune. Defaults are the safe ones; `SettingsFile` reads overrides from TOML.
public struct Settings: Sendable, Equatable {
    public var issuer: String?
    public var host = "127.0.0.1"
    public var port = 8080
    public var lifetimes = Lifetimes()
    public var security = Security()
    public var resourceScope = "profile"
    /// Declarative scopes and clients, created at startup when absent.
    public var scopes: [Scope] = []
    public var clients: [ClientDeclaration] = []

    public init() {}

    public struct Lifetimes: Sendable, Equatable {
        /// RFC 6749 §4.1.2 recommends at most ten minutes.
        public var authorizationCode: Int64 = 600
        public var accessToken: Int64 = 3600
        public var refreshToken: Int64 = 30 * 24 * 3600
        /// How long a parked request waits for a person.
        public var request: Int64 = 600
        public init() {}
    }

    public struct Security: Sendable, Equatable {
        public var passwordHashRounds = PasswordHasher.recommendedRounds
        public var maxFailedLogins = 5
        public var lockoutSeconds: Int64 = 900
        public init() {}
    }

    public struct ClientDeclaration: Sendable, Equatable {
        public var id: String
        public var name: String
        public var isPublic: Bool
        public var redirectURIs: [String]
        public var grantTypes: [GrantType]
        public var scopes: [String]
        public var requirePKCE: Bool
        public init(id: String, name: String, isPublic: Bool, redirectURIs: [String], grantTypes: [GrantType], scopes: [String], requirePKCE: Bool) {
            self.id = id
            self.name = name
            self.isPublic = isPublic
            self.redirectURIs = redirectURIs
            self.grantTypes = grantTypes
            self.scopes = scopes
            self.requirePKCE = requirePKCE
        }
    }

    public var passwordHasher: PasswordHasher { PasswordHasher(rounds: security.passwordHashRounds) }
}
