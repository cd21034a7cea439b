/// The one cache in front of a store: hot, rarely changing rows (clients, scope names) kept for
/// a second, so `/token` does not read them on every request. Changes made through this store
/// drop the entry at once; changes made by another process (the CLI, another replica) are seen
/// within the lifetime. Everything else goes straight to the engine.
public final class CachingStore: Store {
    /// The engine behind the cache.
    public let base: any Store
    private let clientCache = ShortLivedCache<String, Client?>(lifetimeMilliseconds: 1000)
    private let scopeNameCache = ShortLivedCache<Int, Set<String>>(lifetimeMilliseconds: 1000)

    public init(_ base: any Store) {
        self.base = (base as? CachingStore)?.base ?? base
    }

    // MARK: cached

    public func client(id: String) async throws -> Client? {
        try await clientCache.value(id) { try await base.client(id: id) }
    }

    public func freshClient(id: String) async throws -> Client? {
        clientCache.invalidate(id)
        return try await base.client(id: id)
    }

    public func insertClient(_ client: Client, audit: AuditEvent?) async throws {
        defer { clientCache.invalidate(client.id) }
        try await base.insertClient(client, audit: audit)
    }

    public func updateClient(_ client: Client, audit: AuditEvent?) async throws -> Bool {
        defer { clientCache.invalidate(client.id) }
        return try await base.updateClient(client, audit: audit)
    }

    public func removeClient(id: String, audit: AuditEvent?) async throws -> Bool {
        defer { clientCache.invalidate(id) }
        return try await base.removeClient(id: id, audit: audit)
    }

    public func updateClientSecret(id: String, secret: SecretHash, audit: AuditEvent?) async throws -> Bool {
        defer { clientCache.invalidate(id) }
        return try await base.updateClientSecret(id: id, secret: secret, audit: audit)
    }

    public func scopeNames() async throws -> Set<String> {
        try await scopeNameCache.value(0) { try await base.scopeNames() }
    }

    public func saveScope(_ scope: Scope) async throws {
        defer { scopeNameCache.invalidateAll() }
        try await base.saveScope(scope)
    }

    public func removeScope(name: String) async throws -> Bool {
        defer { scopeNameCache.invalidateAll() }
        return try await base.removeScope(name: name)
    }

    // MARK: passed through

    public func clients() async throws -> [Client] { try await base.clients() }
    public func scopes() async throws -> [Scope] { try await base.scopes() }

    public func insertUser(_ user: User, audit: AuditEvent?) async throws { try await base.insertUser(user, audit: audit) }
    public func user(username: String) async throws -> User? { try await base.user(username: username) }
    public func user(id: String) async throws -> User? { try await base.user(id: id) }
    public func users() async throws -> [User] { try await base.users() }
    public func removeUser(username: String, audit: AuditEvent?) async throws -> Bool { try await base.removeUser(username: username, audit: audit) }
    public func updatePassword(userID: String, hash: String, audit: AuditEvent?) async throws {
        try await base.updatePassword(userID: userID, hash: hash, audit: audit)
    }
    public func updateUser(_ user: User, audit: AuditEvent?) async throws -> Bool { try await base.updateUser(user, audit: audit) }

    public func signingKeys() async throws -> [SigningKey] { try await base.signingKeys() }
    public func insertSigningKey(_ key: SigningKey, retireOthersUntil publishUntil: Int64?, audit: AuditEvent?) async throws -> Bool {
        try await base.insertSigningKey(key, retireOthersUntil: publishUntil, audit: audit)
    }
    public func removeSigningKey(kid: String, audit: AuditEvent?) async throws -> Bool { try await base.removeSigningKey(kid: kid, audit: audit) }
    public func insertUserKey(_ key: UserKey, audit: AuditEvent?) async throws { try await base.insertUserKey(key, audit: audit) }
    public func userKeys(userID: String) async throws -> [UserKey] { try await base.userKeys(userID: userID) }
    public func removeUserKey(userID: String, fingerprint: String, audit: AuditEvent?) async throws -> Bool {
        try await base.removeUserKey(userID: userID, fingerprint: fingerprint, audit: audit)
    }

    public func insertRequest(_ parking: Parking) async throws { try await base.insertRequest(parking) }
    public func parkedCount(_ scope: ParkedScope, now: Int64, upTo limit: Int) async throws -> Int {
        try await base.parkedCount(scope, now: now, upTo: limit)
    }
    public func request(approvalCode: TokenHash) async throws -> AuthorizationRequest? { try await base.request(approvalCode: approvalCode) }
    public func request(handle: TokenHash) async throws -> AuthorizationRequest? { try await base.request(handle: handle) }
    public func request(id: String) async throws -> AuthorizationRequest? { try await base.request(id: id) }
    public func pendingRequests(now: Int64) async throws -> [AuthorizationRequest] { try await base.pendingRequests(now: now) }
    public func decideRequest(_ decision: RequestDecision, now: Int64) async throws -> Bool { try await base.decideRequest(decision, now: now) }
    public func deliverRequest(id: String, code: AuthorizationCode?, tokens: [Token], audit: AuditEvent?) async throws -> Bool {
        try await base.deliverRequest(id: id, code: code, tokens: tokens, audit: audit)
    }
    public func closeExpiredRequest(id: String, now: Int64) async throws -> Bool { try await base.closeExpiredRequest(id: id, now: now) }
    public func updateDevicePoll<T: Sendable>(
        id: String, _ change: @escaping @Sendable (DevicePollState) -> (DevicePollState, T)
    ) async throws -> T? {
        try await base.updateDevicePoll(id: id, change)
    }

    public func redeemCode<Value: Sendable>(
        hash: TokenHash, now: Int64, issue: @escaping @Sendable (AuthorizationCode) throws -> CodeIssue<Value>,
        audit: @escaping @Sendable (CodeRedemption, Value?) -> AuditEvent?
    ) async throws -> (CodeRedemption, Value?) {
        try await base.redeemCode(hash: hash, now: now, issue: issue, audit: audit)
    }

    public func insertTokens(_ tokens: [Token], audit: AuditEvent?) async throws { try await base.insertTokens(tokens, audit: audit) }
    public func token(hash: TokenHash) async throws -> Token? { try await base.token(hash: hash) }
    public func rotateRefreshToken(
        hash: TokenHash, now: Int64, issuing tokens: [Token], audit: @escaping @Sendable (RefreshRotation) -> AuditEvent?
    ) async throws -> RefreshRotation {
        try await base.rotateRefreshToken(hash: hash, now: now, issuing: tokens, audit: audit)
    }
    public func revokeFamily(_ family: String, audit: @escaping @Sendable (Int) -> AuditEvent?) async throws -> Int {
        try await base.revokeFamily(family, audit: audit)
    }
    public func revokeToken(hash: TokenHash, audit: @escaping @Sendable (Int) -> AuditEvent?) async throws -> Bool {
        try await base.revokeToken(hash: hash, audit: audit)
    }

    public func consent(userID: String, clientID: String) async throws -> Consent? { try await base.consent(userID: userID, clientID: clientID) }
    public func rememberConsent(_ consent: Consent) async throws { try await base.rememberConsent(consent) }
    public func consents(userID: String?) async throws -> [Consent] { try await base.consents(userID: userID) }
    public func revokeConsent(userID: String, clientID: String, audit: @escaping @Sendable (Int) -> AuditEvent?) async throws -> Int? {
        try await base.revokeConsent(userID: userID, clientID: clientID, audit: audit)
    }

    public func purgeExpired(before: Int64, auditBefore: Int64, attemptsBefore: Int64, keysRetiredBefore: Int64, limit: Int) async throws
        -> PurgeCounts
    {
        try await base.purgeExpired(
            before: before, auditBefore: auditBefore, attemptsBefore: attemptsBefore, keysRetiredBefore: keysRetiredBefore, limit: limit)
    }

    public func appendAudit(_ event: AuditEvent) async throws { try await base.appendAudit(event) }
    public func recentAudit(limit: Int) async throws -> [AuditEvent] { try await base.recentAudit(limit: limit) }

    public func attemptCounter(key: String) async throws -> AttemptCounter? { try await base.attemptCounter(key: key) }
    public func updateAttemptCounter<T: Sendable>(
        key: String, audit: @escaping @Sendable (T) -> AuditEvent?, _ change: @escaping @Sendable (AttemptCounter?) -> (AttemptCounter?, T)
    ) async throws -> T {
        try await base.updateAttemptCounter(key: key, audit: audit, change)
    }
}
