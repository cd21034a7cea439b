import TermAuthCore

/// Step 3 of the seed in the terminal: sign in, then consent unless a remembered one covers
/// the request, then record the decision through the same `AuthorizationFlow` every front end uses.
public struct ApprovalSession {
    public enum Result: Equatable {
        case approved(ScopeSet)
        case denied
        /// Ctrl-C: nothing decided; the request stays parked until it expires.
        case quit
    }

    let flow: AuthorizationFlow
    let runner: ScreenRunner
    let language: String?
    /// Shown on the login screen (the demo's credentials).
    let loginNotice: String?
    /// Who decides, for the audit log: this terminal and its local user.
    let origin: String

    public init(
        flow: AuthorizationFlow, runner: ScreenRunner, language: String? = UserLanguage.preferredTag(), loginNotice: String? = nil,
        origin: String = LocalOrigin.terminal
    ) {
        self.flow = flow
        self.runner = runner
        self.language = language
        self.loginNotice = loginNotice
        self.origin = origin
    }

    /// With `confirm` (a request reached by its code rather than started here), the
    /// confirmation comes first, whatever consent is remembered.
    /// `signedIn`: who proved themselves already (an SSH key); no password is asked then.
    public func run(_ pending: PendingAuthorization, username: String = "", confirm: Bool = false, signedIn: SignedInUser? = nil) async throws
        -> Result
    {
        if confirm {
            var screen = ApprovalConfirmScreen(pending: pending, now: flow.now)
            switch runner.run(&screen) {
            case .quit, .stay: return .quit
            case .finish(.deny):
                try await flow.deny(pending, user: nil, origin: origin)
                return .denied
            case .finish(.proceed): break
            }
        }
        if let signedIn, !flow.needsFreshSignIn(pending, user: signedIn) { return try await decide(pending, user: signedIn) }
        // login_hint fills in the name, unless the person is known already.
        let name = signedIn?.user.username ?? (username.isEmpty ? pending.request.options.loginHint ?? "" : username)
        switch try await signIn(pending, username: name) {
        case .quit: return .quit
        case .cancelled: return .denied
        case .signedIn(let user): return try await decide(pending, user: user)
        }
    }

    /// What the login screen ended with.
    public enum SignInOutcome {
        case signedIn(SignedInUser)
        /// Cancel: the request is denied.
        case cancelled
        /// Ctrl-C: nothing decided.
        case quit
    }

    /// The login screen until someone signs in, cancels (which denies) or leaves.
    public func signIn(_ pending: PendingAuthorization, username: String = "") async throws -> SignInOutcome {
        var login = LoginScreen(
            clientName: pending.client.name, clientID: pending.client.id,
            redirectURI: pending.request.redirectURI, username: username)
        login.notice = loginNotice
        while true {
            switch runner.run(&login) {
            case .quit: return .quit
            case .finish(.cancel), .stay:
                try await flow.deny(pending, user: nil, origin: origin)
                return .cancelled
            case .finish(.signIn(let name, let password)):
                do {
                    return .signedIn(try await flow.signIn(username: name, password: password, for: pending, origin: origin))
                } catch let error as TermAuthError {
                    switch error {
                    case .invalidCredentials: login.refused(error.description)
                    default: throw error
                    }
                }
            }
        }
    }

    /// The consent screen unless a remembered consent covers the request, then the decision.
    public func decide(_ pending: PendingAuthorization, user: SignedInUser) async throws -> Result {
        guard try await flow.consentNeeded(pending, user: user) else {
            return .approved(try await flow.approve(pending, user: user, scopes: nil, remember: false, origin: origin))
        }
        // ui_locales (Core §3.1.2.1) wins where a translation exists.
        let language = pending.request.options.consentLanguage(for: pending.scopes) ?? self.language
        var consent = ConsentScreen(pending: pending, username: user.user.username, language: language, now: flow.now)
        consent.key = user.key
        switch runner.run(&consent) {
        case .quit: return .quit
        case .finish(.deny), .stay:
            try await flow.deny(pending, user: user, origin: origin)
            return .denied
        case .finish(.approve(let scopes, let remember)):
            return .approved(try await flow.approve(pending, user: user, scopes: scopes, remember: remember, origin: origin))
        }
    }
}
