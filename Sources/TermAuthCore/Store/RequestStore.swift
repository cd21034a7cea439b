public protocol RequestStore: Sendable {
    /// Parks a request; fails with `.duplicate` when the approval code is already in use.
    func insertRequest(_ parking: Parking) async throws
    /// Undecided, unexpired requests in `scope`, counted up to `limit` at most: a count near a
    /// bound of thousands costs no more than the bound.
    func parkedCount(_ scope: ParkedScope, now: Int64, upTo limit: Int) async throws -> Int
    func request(approvalCode: TokenHash) async throws -> AuthorizationRequest?
    func request(handle: TokenHash) async throws -> AuthorizationRequest?
    func request(id: String) async throws -> AuthorizationRequest?
    func pendingRequests(now: Int64) async throws -> [AuthorizationRequest]
    /// Records a decision on a pending, unexpired request, with the consent it remembers and its
    /// audit row, in one transaction. False when someone else decided first.
    func decideRequest(_ decision: RequestDecision, now: Int64) async throws -> Bool
    /// Marks a decided request delivered, storing what it produced (a code, or tokens for the
    /// implicit and device grants) and `audit` in the same transaction. False when it was already delivered.
    func deliverRequest(id: String, code: AuthorizationCode?, tokens: [Token], audit: AuditEvent?) async throws -> Bool
    /// Closes a pending request whose time ran out, so it can never be approved late.
    /// False when it was decided or closed meanwhile.
    func closeExpiredRequest(id: String, now: Int64) async throws -> Bool
    /// Reads a device request's polling state, lets `change` decide the next one and stores it,
    /// atomically (the rule is `DevicePolling`'s). Nil when there is no such request.
    func updateDevicePoll<T: Sendable>(
        id: String, _ change: @escaping @Sendable (DevicePollState) -> (DevicePollState, T)
    ) async throws -> T?
}

/// A person's decision on a parked request, and what is written with it.
public struct RequestDecision: Sendable {
    public var requestID: String
    public var status: AuthorizationRequest.Status
    public var userID: String?
    public var grantedScopes: ScopeSet?
    /// Remembered in the same transaction, added to what was remembered before (`Consent.adding`).
    public var remember: Consent?
    public var audit: AuditEvent
    /// The approving person's sign-in (nil for a denial).
    public var authentication: Authentication?

    public init(
        requestID: String, status: AuthorizationRequest.Status, userID: String?, grantedScopes: ScopeSet?,
        authentication: Authentication? = nil, remember: Consent? = nil, audit: AuditEvent
    ) {
        self.authentication = authentication
        self.requestID = requestID
        self.status = status
        self.userID = userID
        self.grantedScopes = grantedScopes
        self.remember = remember
        self.audit = audit
    }
}

/// A request to park, with what is stored beside it.
public struct Parking: Sendable {
    public var request: AuthorizationRequest
    public var approvalCode: TokenHash
    public var handle: TokenHash
    /// Written in the parking's transaction (one commit per parked request).
    public var audit: AuditEvent?
    /// Sees how many undecided requests there are, counted in the same transaction, and throws to refuse.
    public var admit: @Sendable (ParkedCounts) throws -> Void
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
