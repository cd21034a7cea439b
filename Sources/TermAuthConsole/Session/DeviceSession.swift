import TermAuthCore

/// `termauth device`: code entry (rate-limited across processes through the audit log), the
/// RFC 8628 §5.4 confirmation, then the same sign-in and consent as every other approval.
public struct DeviceSession {
    let termAuth: TermAuth
    let runner: ScreenRunner
    /// Lines for the code entry and login screens (the demo's device code and credentials).
    let codeNotice: String?
    let loginNotice: String?
    /// Wrong codes allowed per minute before the screen makes the person wait.
    static let wrongCodesPerMinute = 5

    public init(termAuth: TermAuth, runner: ScreenRunner, codeNotice: String? = nil, loginNotice: String? = nil) {
        self.termAuth = termAuth
        self.runner = runner
        self.codeNotice = codeNotice
        self.loginNotice = loginNotice
    }

    public func run(code initial: String?) async throws -> ApprovalSession.Result {
        var entry = DeviceCodeScreen(code: initial ?? "")
        entry.notice = codeNotice
        var pending: PendingAuthorization?
        var first = initial != nil
        while pending == nil {
            var effect: ScreenEffect<DeviceCodeScreen.Outcome>
            if first, let initial {
                effect = .finish(.submit(initial))
                first = false
            } else {
                effect = runner.run(&entry)
            }
            switch effect {
            case .quit, .stay: return .quit
            case .finish(.cancel): return .quit
            case .finish(.submit(let typed)):
                if let wait = try await waitBeforeNextTry() {
                    entry.refused(TermAuthError.tooManyWrongCodes(retryAfter: wait).description)
                    continue
                }
                do {
                    let found = try await termAuth.flow.pending(approvalCode: typed)
                    guard found.request.responseType == .deviceCode else { throw TermAuthError.unknownRequest }
                    pending = found
                } catch let error as TermAuthError {
                    try await termAuth.store.appendAudit(AuditEvent(
                        at: termAuth.clock.now(), kind: .deviceCodeWrong, detail: "wrong device code typed", origin: "terminal"))
                    entry.refused(error == .requestExpired ? error.description : "That code is not waiting for approval. Check it and type it again.")
                }
            }
        }
        guard let pending else { return .quit }
        var confirm = DeviceConfirmScreen(pending: pending, now: termAuth.clock.now())
        switch runner.run(&confirm) {
        case .quit, .stay: return .quit
        case .finish(.deny):
            try await termAuth.flow.deny(pending, user: nil)
            return .denied
        case .finish(.proceed):
            return try await ApprovalSession(flow: termAuth.flow, runner: runner, loginNotice: loginNotice).run(pending)
        }
    }

    /// Seconds to wait when the last minute already saw too many wrong codes, from any process.
    private func waitBeforeNextTry() async throws -> Int64? {
        let now = termAuth.clock.now()
        let recent = try await termAuth.store.recentAudit(limit: 500)
            .filter { $0.kind == .deviceCodeWrong && $0.at > now - 60 }
        guard recent.count >= Self.wrongCodesPerMinute, let oldest = recent.map(\.at).min() else { return nil }
        return max(1, oldest + 60 - now)
    }
}
