import Foundation

/// The core, assembled: one store, one clock, one set of settings, and the services every
/// front end (HTTP, terminal, headless) drives.
public struct TermAuth: Sendable {
    public let store: any Store
    public let settings: Settings
    public let clock: any Clock
    let approvalCodes: ApprovalCodes

    public init(store: any Store, settings: Settings, approvalKey: Data, clock: any Clock = SystemClock()) {
        self.store = store
        self.settings = settings
        self.clock = clock
        self.approvalCodes = ApprovalCodes(key: approvalKey)
    }

    /// Opens (creating if needed) the SQLite database and its approval key beside it.
    public static func open(database path: String, settings: Settings, clock: any Clock = SystemClock()) throws -> TermAuth {
        let store = try SQLiteStore(path: path, durability: settings.durability)
        let key = try ApprovalCodes.loadKey(path: path + ".key")
        return TermAuth(store: store, settings: settings, approvalKey: key, clock: clock)
    }

    public var signIn: SignIn { SignIn(store: store, settings: settings, clock: clock) }
    public var flow: AuthorizationFlow {
        AuthorizationFlow(store: store, settings: settings, clock: clock, approvalCodes: approvalCodes, signIn: signIn)
    }
    public var tokens: TokenEndpoint {
        TokenEndpoint(context: GrantContext(store: store, settings: settings, clock: clock), authenticator: ClientAuthenticator(store: store))
    }
    public var resources: ResourceGuard { ResourceGuard(store: store, clock: clock) }
    public var introspection: TokenIntrospection { TokenIntrospection(store: store, clock: clock) }
    public var revocation: TokenRevocation { TokenRevocation(store: store, clock: clock) }
    public var housekeeping: Housekeeping { Housekeeping(store: store, clock: clock) }
    public var admin: Administration { Administration(store: store, settings: settings, clock: clock) }
}
