/// The one state machine every front end drives (HTTP, terminal UI, headless):
///
///     parked ─ sign in ─▶ consent needed? ─▶ approved(granted scopes) ─┐
///        │                                  └▶ denied ─────────────────┼▶ delivered
///        └─ expired                                                     │
///
/// The code is minted only at delivery, by whoever delivers it, so it never rests in plain text.
public struct AuthorizationFlow: Sendable {
    typealias Storage = ClientStore & ScopeStore & RequestStore & ConsentStore & AuditStore & AttemptStore
    let store: any Storage
    let settings: Settings
    let clock: any WallClock
    let approvalCodes: ApprovalCodes
    let signIn: SignIn
    let minter: TokenIssuer
    /// One per response type a browser may ask for, keyed by it (`GrantRegistry.responseTypes`).
    let responders: [ResponseType: any ResponseTypeHandler]

    init(store: any Store, settings: Settings, clock: any WallClock, approvalCodes: ApprovalCodes, signIn: SignIn, minter: TokenIssuer) {
        self.minter = minter
        self.store = store
        self.settings = settings
        self.clock = clock
        self.approvalCodes = approvalCodes
        self.signIn = signIn
        responders = Dictionary(uniqueKeysWithValues: GrantRegistry.responseTypes.map { ($0.responseType, $0.init(store: store)) })
    }

    /// The flow's clock, for front ends that show how long ago a request came.
    public var now: Int64 { clock.now() }

    public var validator: AuthorizeValidator { AuthorizeValidator(store: store, limits: settings.limits) }

    // MARK: park

    public func park(_ v: ValidatedAuthorization, origin: String) async throws -> ParkedRequest {
        let now = clock.now()
        // An approval-code collision with a live request is ~1 in 2^34; draw again if it happens.
        for _ in 0..<5 {
            // Time-ordered, like the handle's hash: both are indexed keys (see `TokenHash`).
            let id = RandomToken.sequentialIdentifier()
            let handle = RandomToken.sequentialSecret()
            var request = AuthorizationRequest(
                id: id, clientID: v.client.id, redirectURI: v.redirectURI, responseType: v.responseType, scopes: v.scopes,
                state: v.state, codeChallenge: v.codeChallenge, codeChallengeMethod: v.codeChallengeMethod,
                origin: Sanitized.line(origin, limit: 100), createdAt: now, expiresAt: now + settings.lifetimes.request)
            request.pollInterval = settings.lifetimes.devicePollInterval
            request.redirectURISent = v.redirectURISent
            request.options = v.options
            let code = approvalCodes.code(forRequest: id)
            let parked = AuditEvent(
                at: now, kind: .requestParked, clientID: v.client.id, detail: "scope \"\(v.scopes.string)\" from \(request.origin)")
            let limits = settings.limits
            // Past a bound nothing is stored; a place frees when a request is decided or expires.
            let admit: @Sendable (ParkedCounts) throws -> Void = { counts in
                if counts.source >= limits.parkedPerSource { throw Self.parkingRefused(.source("")) }
                if counts.client >= limits.parkedPerClient { throw Self.parkingRefused(.client("")) }
                if counts.total >= limits.parkedTotal { throw Self.parkingRefused(.all) }
            }
            // Reads first, the narrowest bound first: a flood past a bound is refused without
            // touching the writer, and one from a single address after counting at most its 100.
            for (scope, bound) in [
                (ParkedScope.source(request.source), limits.parkedPerSource), (.client(request.clientID), limits.parkedPerClient),
                (.all, limits.parkedTotal),
            ]
            where try await store.parkedCount(scope, now: now, upTo: bound) >= bound {
                throw Self.parkingRefused(scope)
            }
            do {
                try await store.insertRequest(
                    Parking(request: request, approvalCode: TokenHash(of: code), handle: TokenHash(of: handle), audit: parked, admit: admit))
            } catch TermAuthError.duplicate {
                continue
            }
            return ParkedRequest(request: request, approvalCode: code, handle: handle)
        }
        throw TermAuthError.storage("could not allocate an approval code")
    }

    static func parkingRefused(_ scope: ParkedScope) -> TermAuthError {
        switch scope {
        case .source: return .overloaded("requests waiting for approval from this address", retryAfter: 60)
        case .client: return .overloaded("requests waiting for approval for this client", retryAfter: 60)
        case .all: return .overloaded("requests waiting for approval", retryAfter: 60)
        }
    }

    // MARK: look up

    /// Finds a request by the handle its waiting user agent holds (the browser page's refresh).
    public func pending(handle: String) async throws -> PendingAuthorization {
        try await describe(try await browserRequest(handle: handle), checkPending: true)
    }

    /// The one check that a handle belongs to a browser's request: a device code is a handle
    /// too, but a device is answered at the token endpoint, never by a redirect.
    private func browserRequest(handle: String) async throws -> AuthorizationRequest {
        guard let request = try await store.request(handle: TokenHash(of: handle)), GrantRegistry.responseType(of: request) != nil else {
            throw TermAuthError.unknownRequest
        }
        return request
    }

    public func pending(requestID: String) async throws -> PendingAuthorization {
        guard let request = try await store.request(id: requestID) else { throw TermAuthError.unknownRequest }
        return try await describe(request, checkPending: true)
    }

    /// Every request still waiting for a person, oldest first.
    public func pendingRequests() async throws -> [PendingAuthorization] {
        // The scope table is read once for the whole list: the console refreshes it every second.
        let known = try await scopesByName()
        var out: [PendingAuthorization] = []
        for request in try await store.pendingRequests(now: clock.now()) {
            if let described = try? await describe(request, checkPending: false, scopes: known) { out.append(described) }
        }
        return out
    }

    private func scopesByName() async throws -> [String: Scope] {
        Dictionary(try await store.scopes().map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
    }

    func describe(_ request: AuthorizationRequest, checkPending: Bool, scopes given: [String: Scope]? = nil) async throws -> PendingAuthorization {
        if checkPending {
            guard request.status == .pending else { throw TermAuthError.requestAlreadyDecided }
            guard request.expiresAt > clock.now() else { throw TermAuthError.requestExpired }
        }
        guard let client = try await store.client(id: request.clientID) else { throw TermAuthError.unknownClient }
        let known: [String: Scope]
        if let given { known = given } else { known = try await scopesByName() }
        let scopes = request.scopes.names.map { known[$0] ?? Scope(name: $0, description: $0) }
        return PendingAuthorization(
            request: request, approvalCode: approvalCodes.code(forRequest: request.id), client: client, scopes: scopes)
    }

    // MARK: decide

    public func signIn(username: String, password: String, for pending: PendingAuthorization, origin: String = "terminal") async throws
        -> SignedInUser
    {
        try await signIn.signIn(username: username, password: password, clientID: pending.client.id, origin: origin)
    }

    /// First meeting, or scopes beyond what was remembered: the person must be asked.
    public func consentNeeded(_ pending: PendingAuthorization, user: SignedInUser) async throws -> Bool {
        // Core §3.1.2.1: prompt=consent asks again, whatever was remembered.
        if pending.request.options.prompt.contains(.consent) { return true }
        guard let consent = try await store.consent(userID: user.user.id, clientID: pending.client.id) else { return true }
        return !pending.request.scopes.isSubset(of: consent.scopes)
    }

    /// Whether `user`'s sign-in is too old for the request (`prompt=login`, `max_age`): a front
    /// end that holds an earlier sign-in (an SSH key) asks for the password again.
    public func needsFreshSignIn(_ pending: PendingAuthorization, user: SignedInUser) -> Bool {
        pending.request.options.needsFreshSignIn(user.authentication, requestedAt: pending.request.createdAt, now: clock.now())
    }

    /// Approves with `chosen` scopes (nil: everything requested). Required scopes are always
    /// granted; scopes that were not requested cannot be chosen.
    @discardableResult
    public func approve(_ pending: PendingAuthorization, user: SignedInUser, scopes chosen: ScopeSet?, remember: Bool, origin: String = "terminal")
        async throws -> ScopeSet
    {
        guard !needsFreshSignIn(pending, user: user) else { throw TermAuthError.loginRequired }
        let requested = pending.request.scopes
        var granted = requested
        if let chosen {
            if let extra = chosen.names.first(where: { !requested.contains($0) }) {
                throw TermAuthError.invalidArgument("scope \(extra) was not requested")
            }
            let required = ScopeSet(pending.scopes.filter(\.required).map(\.name))
            granted = chosen.union(required.intersection(requested))
        }
        let now = clock.now()
        let approved = RequestDecision(
            requestID: pending.request.id, status: .approved, userID: user.user.id, grantedScopes: granted,
            authentication: user.authentication,
            remember: remember ? Consent(userID: user.user.id, clientID: pending.client.id, scopes: granted, grantedAt: now) : nil,
            audit: AuditEvent(
                at: now, kind: .requestApproved, clientID: pending.client.id, username: user.user.username,
                detail: "granted \"\(granted.string)\" of \"\(requested.string)\"\(remember ? ", remembered" : "")", origin: origin))
        guard try await store.decideRequest(approved, now: now) else { throw try await whyUndecidable(pending.request.id) }
        return granted
    }

    public func deny(_ pending: PendingAuthorization, user: SignedInUser?, origin: String = "terminal") async throws {
        let now = clock.now()
        let denied = RequestDecision(
            requestID: pending.request.id, status: .denied, userID: user?.user.id, grantedScopes: nil,
            audit: AuditEvent(at: now, kind: .requestDenied, clientID: pending.client.id, username: user?.user.username, origin: origin))
        guard try await store.decideRequest(denied, now: now) else { throw try await whyUndecidable(pending.request.id) }
    }

    private func whyUndecidable(_ id: String) async throws -> TermAuthError {
        guard let current = try await store.request(id: id) else { return .unknownRequest }
        return current.status == .pending ? .requestExpired : .requestAlreadyDecided
    }

    // MARK: deliver

    /// Collects a request's outcome by the handle its user agent holds.
    /// `issuer` goes into the redirect as `iss` (RFC 9207): the URL the client reached this server by.
    public func deliver(handle: String, issuer: String? = nil) async throws -> Delivery {
        try await deliver(try await browserRequest(handle: handle), issuer: issuer)
    }

    /// Collects by id: for front ends that parked the request themselves (`termauth authorize`).
    public func deliver(requestID: String, issuer: String? = nil) async throws -> Delivery {
        guard let request = try await store.request(id: requestID) else { throw TermAuthError.unknownRequest }
        return try await deliver(request, issuer: issuer)
    }

    private func deliver(_ request: AuthorizationRequest, issuer: String?) async throws -> Delivery {
        let now = clock.now()
        guard let responder = responders[request.responseType] else { throw TermAuthError.unknownRequest }
        let redirect = RedirectBuilder(
            base: request.redirectURI, state: request.state, inFragment: type(of: responder).inFragment, issuer: issuer)
        switch request.status {
        case .delivered:
            return .alreadyDelivered
        case .pending:
            guard request.expiresAt <= now else { return .waiting(expiresAt: request.expiresAt) }
            // Nobody decided in time: close it so it cannot be approved late, and tell the client.
            guard try await store.closeExpiredRequest(id: request.id, now: now) else {
                return try await deliver(requestID: request.id, issuer: issuer)
            }
            return .redirect(redirect.error(.requestExpired))
        case .denied:
            guard try await store.deliverRequest(id: request.id, code: nil, tokens: [], audit: nil) else { return .alreadyDelivered }
            return .redirect(redirect.error(.accessDenied))
        case .approved:
            return try await responder.deliver(request, redirect: redirect, context: DeliveryContext(settings: settings, now: now, issuer: minter))
        }
    }
}
