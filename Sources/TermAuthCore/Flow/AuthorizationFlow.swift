/// The one state machine every front end drives (HTTP, terminal UI, headless):
///
///     parked ─ sign in ─▶ consent needed? ─▶ approved(granted scopes) ─┐
///        │                                  └▶ denied ─────────────────┼▶ delivered
///        └─ expired                                                     │
///
/// The code is minted only at delivery, by whoever delivers it, so it never rests in plain text.
public struct AuthorizationFlow: Sendable {
    let store: any Store
    let settings: Settings
    let clock: any Clock
    let approvalCodes: ApprovalCodes
    let signIn: SignIn

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
            for (scope, bound) in [(ParkedScope.source(request.source), limits.parkedPerSource), (.client(request.clientID), limits.parkedPerClient),
                                   (.all, limits.parkedTotal)]
            where try await store.parkedCount(scope, now: now, upTo: bound) >= bound {
                throw Self.parkingRefused(scope)
            }
            do {
                try await store.insertRequest(
                    request, approvalCode: TokenHash(of: code), handle: TokenHash(of: handle), audit: parked, admit: admit)
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

    /// RFC 8628 §3.1–3.2: parks a device's request. The device code is the handle the device
    /// polls with; the user code is the approval code a person types.
    public func parkDevice(client: Client, scope: String?, origin: String) async throws -> ParkedRequest {
        guard client.allows(.deviceCode) else { throw TermAuthError.grantNotAllowed(.deviceCode) }
        let scopes = try await ScopePolicy(store: store).resolve(requested: scope, for: client)
        let validated = ValidatedAuthorization(
            client: client, redirectURI: "", responseType: .deviceCode, scopes: scopes, state: nil,
            codeChallenge: nil, codeChallengeMethod: nil)
        return try await park(validated, origin: origin)
    }

    // MARK: look up

    /// Finds the pending request a person typed the approval code of. Wrong codes count against
    /// one limit per source and per user, wherever they are typed: past it, even a right code
    /// is refused until the window passes.
    public func pending(approvalCode typed: String, source: String, username: String? = nil, deviceOnly: Bool = false) async throws -> PendingAuthorization {
        let now = clock.now()
        let rule = settings.security.wrongCodeRule
        let limiter = AttemptLimiter(store: store)
        let keys = [AttemptKey.codeSource(source)] + (username.map { [AttemptKey.codeUser($0)] } ?? [])
        for (index, key) in keys.enumerated() {
            if case .refused(let until, _) = try await limiter.claim(key, rule: rule, now: now) {
                for earlier in keys.prefix(index) { _ = try await limiter.succeeded(earlier, now: now, clear: false) }
                throw TermAuthError.tooManyWrongCodes(retryAfter: max(1, until - now))
            }
        }
        let found: PendingAuthorization
        do {
            guard let code = ApprovalCode.normalize(typed), let request = try await store.request(approvalCode: TokenHash(of: code)),
                !deviceOnly || request.responseType == .deviceCode
            else { throw TermAuthError.unknownRequest }
            found = try await describe(request, checkPending: true)
        } catch let error as TermAuthError where error.oauthCode != .temporarilyUnavailable {
            try await store.appendAudit(AuditEvent(
                at: now, kind: .deviceCodeWrong, username: username, detail: "wrong approval code: \(error.description)", origin: source))
            for key in keys {
                if let until = try await limiter.failed(key, rule: rule, now: now) {
                    try await store.appendAudit(AuditEvent(
                        at: now, kind: .wrongCodesLimited, username: username,
                        detail: "\(rule.limit) wrong codes; refused until \(Timestamp.iso8601(until))", origin: source))
                }
            }
            throw error
        } catch {
            // The lookup itself failed (storage down, cancelled): no code was judged wrong.
            for key in keys { _ = try? await limiter.succeeded(key, now: now, clear: false) }
            throw error
        }
        for key in keys { _ = try await limiter.succeeded(key, now: now, clear: false) }
        return found
    }

    /// Finds a request by the handle its waiting user agent holds (the browser page's refresh).
    public func pending(handle: String) async throws -> PendingAuthorization {
        guard let request = try await store.request(handle: TokenHash(of: handle)) else { throw TermAuthError.unknownRequest }
        return try await describe(request, checkPending: true)
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

    private func describe(_ request: AuthorizationRequest, checkPending: Bool, scopes given: [String: Scope]? = nil) async throws -> PendingAuthorization {
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

    public func signIn(username: String, password: String, for pending: PendingAuthorization, origin: String = "terminal") async throws -> SignedInUser {
        try await signIn.signIn(username: username, password: password, clientID: pending.client.id, origin: origin)
    }

    /// First meeting, or scopes beyond what was remembered: the person must be asked.
    public func consentNeeded(_ pending: PendingAuthorization, user: SignedInUser) async throws -> Bool {
        guard let consent = try await store.consent(userID: user.user.id, clientID: pending.client.id) else { return true }
        return !pending.request.scopes.isSubset(of: consent.scopes)
    }

    /// Approves with `chosen` scopes (nil: everything requested). Required scopes are always
    /// granted; scopes that were not requested cannot be chosen.
    @discardableResult
    public func approve(_ pending: PendingAuthorization, user: SignedInUser, scopes chosen: ScopeSet?, remember: Bool, origin: String = "terminal") async throws -> ScopeSet {
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
        guard try await store.decideRequest(id: pending.request.id, status: .approved, userID: user.user.id, grantedScopes: granted, now: now) else {
            throw try await whyUndecidable(pending.request.id)
        }
        if remember {
            try await store.rememberConsent(Consent(userID: user.user.id, clientID: pending.client.id, scopes: granted, grantedAt: now))
        }
        try await store.appendAudit(AuditEvent(
            at: now, kind: .requestApproved, clientID: pending.client.id, username: user.user.username,
            detail: "granted \"\(granted.string)\" of \"\(requested.string)\"\(remember ? ", remembered" : "")", origin: origin))
        return granted
    }

    public func deny(_ pending: PendingAuthorization, user: SignedInUser?, origin: String = "terminal") async throws {
        let now = clock.now()
        guard try await store.decideRequest(id: pending.request.id, status: .denied, userID: user?.user.id, grantedScopes: nil, now: now) else {
            throw try await whyUndecidable(pending.request.id)
        }
        try await store.appendAudit(AuditEvent(at: now, kind: .requestDenied, clientID: pending.client.id, username: user?.user.username, origin: origin))
    }

    private func whyUndecidable(_ id: String) async throws -> TermAuthError {
        guard let current = try await store.request(id: id) else { return .unknownRequest }
        return current.status == .pending ? .requestExpired : .requestAlreadyDecided
    }

    // MARK: deliver

    /// Collects a request's outcome by the handle its user agent holds.
    /// `issuer` goes into the redirect as `iss` (RFC 9207): the URL the client reached this server by.
    public func deliver(handle: String, issuer: String? = nil) async throws -> Delivery {
        guard let request = try await store.request(handle: TokenHash(of: handle)) else { throw TermAuthError.unknownRequest }
        return try await deliver(request, issuer: issuer)
    }

    /// Collects by id: for front ends that parked the request themselves (`termauth authorize`).
    public func deliver(requestID: String, issuer: String? = nil) async throws -> Delivery {
        guard let request = try await store.request(id: requestID) else { throw TermAuthError.unknownRequest }
        return try await deliver(request, issuer: issuer)
    }

    private func deliver(_ request: AuthorizationRequest, issuer: String?) async throws -> Delivery {
        let now = clock.now()
        // A device collects its answer by polling the token endpoint (`DeviceCodeGrant`).
        guard request.responseType != .deviceCode else { return .waiting(expiresAt: request.expiresAt) }
        let redirect = RedirectBuilder(
            base: request.redirectURI, state: request.state, inFragment: request.responseType == .token, issuer: issuer)
        switch request.status {
        case .delivered:
            return .alreadyDelivered
        case .pending:
            guard request.expiresAt <= now else { return .waiting(expiresAt: request.expiresAt) }
            // Nobody decided in time: close it so it cannot be approved late, and tell the client.
            guard try await store.closeExpiredRequest(id: request.id, now: now) else { return try await deliver(requestID: request.id, issuer: issuer) }
            return .redirect(redirect.error(.requestExpired))
        case .denied:
            guard try await store.deliverRequest(id: request.id, code: nil, tokens: []) else { return .alreadyDelivered }
            return .redirect(redirect.error(.accessDenied))
        case .approved where request.responseType == .token:
            return try await deliverImplicit(request, redirect: redirect, now: now)
        case .approved:
            guard let userID = request.userID else { throw TermAuthError.storage("approved request without a user") }
            let code = RandomToken.sequentialSecret()
            let stored = AuthorizationCode(
                hash: TokenHash(of: code), clientID: request.clientID, userID: userID,
                redirectURI: request.redirectURISent ? request.redirectURI : "",
                scopes: request.grantedScopes ?? request.scopes, codeChallenge: request.codeChallenge,
                codeChallengeMethod: request.codeChallengeMethod, issuedAt: now, expiresAt: now + settings.lifetimes.authorizationCode)
            guard try await store.deliverRequest(id: request.id, code: stored, tokens: []) else { return .alreadyDelivered }
            try await store.appendAudit(AuditEvent(at: now, kind: .codeIssued, clientID: request.clientID, detail: "request \(request.id)"))
            return .redirect(redirect.success(["code": code]))
        }
    }

    /// RFC 6749 §4.2.2: the access token itself, in the fragment, and never a refresh token.
    private func deliverImplicit(_ request: AuthorizationRequest, redirect: RedirectBuilder, now: Int64) async throws -> Delivery {
        guard let client = try await store.client(id: request.clientID) else { throw TermAuthError.unknownClient }
        let scopes = request.grantedScopes ?? request.scopes
        let minted = TokenIssuer(settings: settings).mint(client: client, userID: request.userID, scopes: scopes, withRefresh: false, now: now)
        guard try await store.deliverRequest(id: request.id, code: nil, tokens: minted.records) else { return .alreadyDelivered }
        try await store.appendAudit(AuditEvent(at: now, kind: .tokenIssued, clientID: client.id, detail: "implicit grant, scope \"\(scopes.string)\""))
        var fields = [("access_token", minted.response.accessToken), ("token_type", "Bearer"), ("expires_in", String(minted.response.expiresIn))]
        if !scopes.isEmpty { fields.append(("scope", scopes.string)) }
        return .redirect(redirect.success(fields))
    }
}
