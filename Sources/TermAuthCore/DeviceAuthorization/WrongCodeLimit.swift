/// RFC 8628 §5.1: a user code is short enough to guess, so wrong codes are bounded. The same
/// bound covers every typed approval code (browser requests' too), on every front end.
extension AuthorizationFlow {
    /// Finds the pending request a person typed the approval code of. Wrong codes count against
    /// one limit per source and per user, wherever they are typed: past it, even a right code
    /// is refused until the window passes.
    public func pending(approvalCode typed: String, source: String, username: String? = nil, deviceOnly: Bool = false) async throws
        -> PendingAuthorization
    {
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
            try await store.appendAudit(
                AuditEvent(
                    at: now, kind: .deviceCodeWrong, username: username, detail: "wrong approval code: \(error.description)", origin: source))
            let limited = AuditEvent(at: now, kind: .wrongCodesLimited, username: username, origin: source)
            for key in keys {
                try await limiter.failed(key, rule: rule, now: now) { until in
                    limited.with(detail: "\(rule.limit) wrong codes; refused until \(Timestamp.iso8601(until))")
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
}
