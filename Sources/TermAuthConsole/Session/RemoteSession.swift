import TermAuthCore

/// The screens of an SSH session (`termauth ssh-session`, which the SSH front end starts on a
/// pseudo-terminal per session): code entry for a device's or a browser's request, its
/// confirmation, sign-in unless an SSH key already signed the person in, consent, the result;
/// then another code. With a code given, one request; with `console`, the operator console.
public struct RemoteSession {
    public enum Start: Equatable {
        case codeEntry
        case code(String)
        case console
    }

    /// How the session ended, as the SSH client's exit status shows it.
    public enum Outcome: Equatable {
        case approved
        case denied
        case left
        case refused(String)
    }

    let termAuth: TermAuth
    let runner: ScreenRunner
    /// The SSH client's address: wrong codes and failed sign-ins count against it.
    let source: String
    let signedIn: SignedInUser?

    public init(termAuth: TermAuth, runner: ScreenRunner, source: String, signedIn: SignedInUser?) {
        self.termAuth = termAuth
        self.runner = runner
        self.source = source
        self.signedIn = signedIn
    }

    var identity: String? {
        guard let signedIn, let key = signedIn.key else { return nil }
        return "signed in as \(signedIn.user.username) with key \(key)"
    }

    public func run(_ start: Start) async throws -> Outcome {
        switch start {
        case .console:
            guard signedIn?.user.isOperator == true else { return .refused("the operator console is for operators signed in with an SSH key") }
            try await OperatorConsole(termAuth: termAuth, runner: runner, origin: source).run()
            return .left
        case .code(let code):
            do {
                return try await decide(try await lookUp(code))
            } catch let error as TermAuthError where error.oauthCode != .temporarilyUnavailable {
                return .refused(error.description)
            }
        case .codeEntry:
            let notice = identity
            while true {
                var entry = DeviceCodeScreen()
                entry.anyRequest = true
                entry.notice = notice
                guard let pending = try await enterCode(&entry) else { return .left }
                let outcome = try await decide(pending)
                var result = ResultScreen(lines: lines(for: outcome, pending))
                guard case .finish(.again) = runner.run(&result) else { return .left }
            }
        }
    }

    /// Code entry until a code finds a pending request, or the person leaves (nil).
    private func enterCode(_ entry: inout DeviceCodeScreen) async throws -> PendingAuthorization? {
        while true {
            switch runner.run(&entry) {
            case .quit, .stay, .finish(.cancel): return nil
            case .finish(.submit(let typed)):
                do {
                    return try await lookUp(typed)
                } catch let error as TermAuthError where error.oauthCode != .temporarilyUnavailable {
                    switch error {
                    case .requestExpired, .tooManyWrongCodes: entry.refused(error.description)
                    default: entry.refused("That code is not waiting for approval. Check it and type it again.")
                    }
                }
            }
        }
    }

    private func lookUp(_ code: String) async throws -> PendingAuthorization {
        try await termAuth.flow.pending(approvalCode: code, source: source, username: signedIn?.user.username)
    }

    private func decide(_ pending: PendingAuthorization) async throws -> Outcome {
        let session = ApprovalSession(flow: termAuth.flow, runner: runner, origin: source)
        switch try await session.run(pending, confirm: true, signedIn: signedIn) {
        case .approved: return .approved
        case .denied: return .denied
        case .quit: return .left
        }
    }

    private func lines(for outcome: Outcome, _ pending: PendingAuthorization) -> [String] {
        switch outcome {
        case .approved: return ["Approved \(pending.approvalCode) for \(pending.client.name) (\(pending.client.id))."]
        case .denied: return ["Denied \(pending.approvalCode) for \(pending.client.name) (\(pending.client.id))."]
        case .left: return ["\(pending.approvalCode) was left undecided."]
        case .refused(let why): return [why]
        }
    }
}
