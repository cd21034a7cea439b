import TermAuthCore

/// `termauth device`: code entry (wrong codes count in the store, per source and user, see
/// `AuthorizationFlow.pending(approvalCode:source:)`), the RFC 8628 §5.4 confirmation, then the
/// same sign-in and consent as every other approval.
public struct DeviceSession {
    let termAuth: TermAuth
    let runner: ScreenRunner
    /// Lines for the code entry and login screens (the demo's device code and credentials).
    let codeNotice: String?
    let loginNotice: String?
    let origin: String

    public init(
        termAuth: TermAuth, runner: ScreenRunner, codeNotice: String? = nil, loginNotice: String? = nil, origin: String = LocalOrigin.terminal
    ) {
        self.termAuth = termAuth
        self.runner = runner
        self.codeNotice = codeNotice
        self.loginNotice = loginNotice
        self.origin = origin
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
                do {
                    pending = try await termAuth.flow.pending(approvalCode: typed, source: origin, deviceOnly: true)
                } catch let error as TermAuthError {
                    switch error {
                    case .requestExpired, .tooManyWrongCodes: entry.refused(error.description)
                    default: entry.refused("That code is not waiting for approval. Check it and type it again.")
                    }
                }
            }
        }
        guard let pending else { return .quit }
        return try await ApprovalSession(flow: termAuth.flow, runner: runner, loginNotice: loginNotice, origin: origin).run(pending, confirm: true)
    }
}
