/// Persistence, split by what each part of the core needs (in the manner of Fosite's storage
/// interfaces). Every method is one atomic state change, so an implementation on another engine
/// only has to keep each one a transaction.
public typealias Store = ClientStore & UserStore & ScopeStore & RequestStore & CodeStore & TokenStore & ConsentStore & AuditStore
    & HousekeepingStore & AttemptStore

public protocol ClientStore: Sendable {
    func insertClient(_ client: Client) async throws
    /// May answer from a cache up to a second old (see `ShortLivedCache`).
    func client(id: String) async throws -> Client?
    /// Always from the database: for when a cached answer was refused.
    func freshClient(id: String) async throws -> Client?
    func clients() async throws -> [Client]
    /// Removes the client with its tokens, codes, consents and parked requests.
    func removeClient(id: String) async throws -> Bool
    func updateClientSecret(id: String, secret: SecretHash) async throws -> Bool
    /// Replaces everything but the id, secret and creation time. False when there is no such client.
    func updateClient(_ client: Client) async throws -> Bool
}

public protocol UserStore: Sendable {
    func insertUser(_ user: User) async throws
    func user(username: String) async throws -> User?
    func user(id: String) async throws -> User?
    func users() async throws -> [User]
    /// Removes the user with their tokens and consents.
    func removeUser(username: String) async throws -> Bool
    func updatePassword(userID: String, hash: String) async throws
}

public protocol ScopeStore: Sendable {
    /// Inserts, or replaces the scope of the same name.
    func saveScope(_ scope: Scope) async throws
    func scopes() async throws -> [Scope]
    /// Just the names: what request validation needs, without decoding descriptions.
    func scopeNames() async throws -> Set<String>
    func removeScope(name: String) async throws -> Bool
}

public protocol RequestStore: Sendable {
    /// Parks a request; fails with `.duplicate` when the approval code is already in use.
    /// `admit` sees how many undecided requests there are, counted in the same transaction,
    /// and throws to refuse; `audit` is written in that transaction too (one commit per parked request).
    func insertRequest(
        _ request: AuthorizationRequest, approvalCode: TokenHash, handle: TokenHash, audit: AuditEvent?,
        admit: @escaping @Sendable (ParkedCounts) throws -> Void
    ) async throws
    /// Undecided, unexpired requests in `scope`, counted up to `limit` at most: a count near a
    /// bound of thousands costs no more than the bound.
    func parkedCount(_ scope: ParkedScope, now: Int64, upTo limit: Int) async throws -> Int
    func request(approvalCode: TokenHash) async throws -> AuthorizationRequest?
    func request(handle: TokenHash) async throws -> AuthorizationRequest?
    func request(id: String) async throws -> AuthorizationRequest?
    func pendingRequests(now: Int64) async throws -> [AuthorizationRequest]
    /// Records a decision on a pending, unexpired request. False when someone else decided first.
    func decideRequest(id: String, status: AuthorizationRequest.Status, userID: String?, grantedScopes: ScopeSet?, now: Int64) async throws -> Bool
    /// Marks a decided request delivered, storing what it produced (a code, or tokens for the
    /// implicit and device grants) in the same transaction. False when it was already delivered.
    func deliverRequest(id: String, code: AuthorizationCode?, tokens: [Token]) async throws -> Bool
    /// Closes a pending request whose time ran out, so it can never be approved late.
    /// False when it was decided or closed meanwhile.
    func closeExpiredRequest(id: String, now: Int64) async throws -> Bool
    /// Records a device's poll (RFC 8628 §3.5): polling sooner than the interval answers
    /// `.slowDown` and lengthens the interval by five seconds.
    func recordDevicePoll(id: String, now: Int64) async throws -> DevicePoll
}

/// What a parking bound counts over.
public enum ParkedScope: Sendable, Equatable {
    case client(String)
    /// See `AuthorizationRequest.source`.
    case source(String)
    case all
}

/// Undecided, unexpired parked requests at the moment one more is parked.
public struct ParkedCounts: Sendable, Equatable {
    public var client: Int
    public var source: Int
    public var total: Int
    public init(client: Int, source: Int, total: Int) {
        self.client = client
        self.source = source
        self.total = total
    }
}

public enum DevicePoll: Sendable, Equatable {
    case inTime
    case slowDown(interval: Int64)
}

public enum CodeRedemption: Sendable, Equatable {
    case redeemed
    /// The code had been redeemed before; every token issued from it is now revoked.
    case reused(revokedTokens: Int)
    case unknown
}

public protocol CodeStore: Sendable {
    func code(hash: TokenHash) async throws -> AuthorizationCode?
    /// Marks the code redeemed and stores `tokens` and `audit`, atomically; at most one caller ever gets `.redeemed`.
    func redeemCode(hash: TokenHash, now: Int64, issuing tokens: [Token], audit: AuditEvent?) async throws -> CodeRedemption
}

public enum RefreshRotation: Sendable, Equatable {
    case rotated
    /// The token had already been rotated; its whole family is now revoked.
    case reused(revokedTokens: Int)
    case invalid
}

public protocol TokenStore: Sendable {
    /// Stores tokens, and the audit event that records their issue, in one transaction.
    func insertTokens(_ tokens: [Token], audit: AuditEvent?) async throws
    func token(hash: TokenHash) async throws -> Token?
    /// Marks the refresh token used and stores its successors and `audit`, atomically.
    func rotateRefreshToken(hash: TokenHash, now: Int64, issuing tokens: [Token], audit: AuditEvent?) async throws -> RefreshRotation
    func revokeFamily(_ family: String) async throws -> Int
    func revokeToken(hash: TokenHash) async throws -> Bool
}

public protocol ConsentStore: Sendable {
    func consent(userID: String, clientID: String) async throws -> Consent?
    /// Remembers `scopes` in addition to what was remembered before.
    func rememberConsent(_ consent: Consent) async throws
    func consents(userID: String?) async throws -> [Consent]
    /// Forgets the consent and, in the same transaction, revokes every token the user holds
    /// for that client: what the consent gave ends with it. Nil when there was no consent,
    /// else the number of tokens revoked.
    func revokeConsent(userID: String, clientID: String) async throws -> Int?
}

/// What one housekeeping pass removed.
public struct PurgeCounts: Sendable, Equatable {
    public var codes = 0
    public var tokens = 0
    public var requests = 0
    public var audit = 0
    public var attempts = 0
    public init() {}
    public var total: Int { codes + tokens + requests + audit + attempts }
}

public protocol HousekeepingStore: Sendable {
    /// Deletes codes, tokens and parked requests that expired before `before`, audit rows older
    /// than `auditBefore`, and attempt counters idle since `attemptsBefore`, at most `limit` rows
    /// of each per call, so the write lock is held only briefly.
    func purgeExpired(before: Int64, auditBefore: Int64, attemptsBefore: Int64, limit: Int) async throws -> PurgeCounts
}

public protocol AuditStore: Sendable {
    func appendAudit(_ event: AuditEvent) async throws
    func recentAudit(limit: Int) async throws -> [AuditEvent]
}

/// A count of attempts under one key (a user, a source address), with the window it counts in
/// and the lock it led to. The rules that read and change it live in `AttemptLimiter`.
public struct AttemptCounter: Sendable, Equatable {
    public var count: Int
    public var windowStart: Int64
    public var lockedUntil: Int64?
    public init(count: Int, windowStart: Int64, lockedUntil: Int64? = nil) {
        self.count = count
        self.windowStart = windowStart
        self.lockedUntil = lockedUntil
    }
}

public protocol AttemptStore: Sendable {
    func attemptCounter(key: String) async throws -> AttemptCounter?
    /// Reads the counter, lets `change` decide its next value (nil removes it) and stores that,
    /// atomically: concurrent callers on any process or replica see each other's changes.
    func updateAttemptCounter<T: Sendable>(
        key: String, _ change: @escaping @Sendable (AttemptCounter?) -> (AttemptCounter?, T)
    ) async throws -> T
}
