import Foundation

/// The core, assembled: one store, one clock, one set of settings, and the services every
/// front end (HTTP, terminal, headless) drives.
public struct TermAuth: Sendable {
    /// Every read and write, through the one cache (`CachingStore`).
    public let store: any Store
    /// The engine itself, for what only it can answer (its file, its schema version).
    public var engine: any Store { (store as? CachingStore)?.base ?? store }
    public let settings: Settings
    public let clock: any WallClock
    let approvalCodes: ApprovalCodes
    /// The installation's local key (the approval key file): approval codes, key wrapping and
    /// session tickets each derive their own key from it.
    let localKey: Data
    /// Built once: they hold one handler per registered grant and response type.
    public let flow: AuthorizationFlow
    public let tokens: TokenEndpoint
    /// The issuer identifier every ID token, JWT and metadata document names. A server on
    /// `--port 0` sets it once it knows its port.
    public let issuer: IssuerURL
    /// The signing keys, shared through the store by every replica.
    public let keys: KeyRing
    let minter: TokenIssuer

    public init(store: any Store, settings: Settings, approvalKey: Data, clock: any WallClock = SystemClock()) {
        let store = CachingStore(store)
        let approvalCodes = ApprovalCodes(key: approvalKey)
        let signIn = SignIn(store: store, settings: settings, clock: clock)
        let issuer = IssuerURL(settings.issuer ?? settings.serverURL(host: settings.host, port: settings.port))
        let keys = KeyRing(store: store, wrap: KeyWrap(localKey: approvalKey), clock: clock)
        let minter = TokenIssuer(settings: settings, keys: keys, issuer: issuer)
        self.issuer = issuer
        self.keys = keys
        self.minter = minter
        self.store = store
        self.settings = settings
        self.clock = clock
        self.approvalCodes = approvalCodes
        self.localKey = approvalKey
        flow = AuthorizationFlow(
            store: store, settings: settings, clock: clock, approvalCodes: approvalCodes, signIn: signIn, minter: minter)
        tokens = TokenEndpoint(
            store: store, context: GrantContext(settings: settings, clock: clock, issuer: minter),
            authenticator: ClientAuthenticator(store: store, failureFloor: .milliseconds(settings.security.failedClientAuthMilliseconds)))
    }

    /// Opens (creating if needed) the SQLite database and its approval key: the settings' key
    /// file, else one beside the database.
    public static func open(database path: String, settings: Settings, clock: any WallClock = SystemClock()) throws -> TermAuth {
        let store = try SQLiteStore(path: path, durability: settings.durability)
        let key = try ApprovalCodes.loadKey(path: settings.approvalKeyFile ?? path + ".key")
        return TermAuth(store: store, settings: settings, approvalKey: key, clock: clock)
    }

    /// Opens what `database` names: a `postgres://` URL (several servers can share it), else
    /// a SQLite file. PostgreSQL keeps the approval-code key outside the database, in
    /// `settings.approvalKeyFile` or else `defaultKeyFile`, so every replica on a machine shares it.
    public static func connect(
        database: String, settings: Settings, defaultKeyFile: String? = nil, clock: any WallClock = SystemClock()
    ) async throws -> TermAuth {
        guard PostgresLocation.isPostgresURL(database) else { return try open(database: database, settings: settings, clock: clock) }
        let location = try PostgresLocation(url: database)
        guard let keyFile = settings.approvalKeyFile ?? defaultKeyFile else {
            throw TermAuthError.configuration("a PostgreSQL store needs storage.approval_key_file in the settings")
        }
        let key = try ApprovalCodes.loadKey(path: keyFile)
        let store = try await PostgresStore.connect(location, maximumConnections: settings.postgresConnections)
        return TermAuth(store: store, settings: settings, approvalKey: key, clock: clock)
    }

    public var signIn: SignIn { SignIn(store: store, settings: settings, clock: clock) }
    var presented: PresentedToken { PresentedToken(keys: keys, issuer: issuer) }
    public var resources: ResourceGuard { ResourceGuard(store: store, clock: clock, presented: presented) }
    public var introspection: TokenIntrospection { TokenIntrospection(store: store, clock: clock, presented: presented) }
    public var revocation: TokenRevocation { TokenRevocation(store: store, clock: clock, presented: presented) }
    public var userInfo: UserInfo { UserInfo(resources: resources, issuer: issuer) }
    public var signingKeys: SigningKeys { SigningKeys(store: store, keys: keys, wrap: keyWrap, settings: settings, clock: clock) }
    public var housekeeping: Housekeeping { Housekeeping(store: store, clock: clock, settings: settings) }
    public var keyWrap: KeyWrap { KeyWrap(localKey: localKey) }
    public var sessionTickets: SessionTickets { SessionTickets(store: store, clock: clock, localKey: localKey) }
    public var admin: Administration { Administration(store: store, settings: settings, clock: clock, minter: minter) }
}
