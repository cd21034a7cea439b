import TermAuthConsole
import TermAuthCore

/// The seed: the Authorization Code grant with PKCE, eight steps across four roles, every one
/// of them a real request to the real server or a real screen of it.
struct CodeGrantScene {
    let stage: DemoStage
    let run: Int
    let scope = "openid profile email photos offline_access"

    static let steps = [
        DemoScreen.Step(1, "Access application", "resource owner → application"),
        DemoScreen.Step(2, "Authenticate, request authorization", "application → authorization server"),
        DemoScreen.Step(3, "Grant authorization", "resource owner → authorization server"),
        DemoScreen.Step(4, "Send authorization code", "authorization server → application"),
        DemoScreen.Step(5, "Exchange code for token", "application → authorization server"),
        DemoScreen.Step(6, "Issue access token", "authorization server → application"),
        DemoScreen.Step(7, "Request resource with token", "application → resource server"),
        DemoScreen.Step(8, "Return resource", "resource server → application"),
    ]

    var title: String { run == 1 ? "Authorization Code grant + PKCE" : "Authorization Code grant, run \(run)" }

    func play(_ show: DemoShow) async throws -> SceneOutcome {
        let app = DemoApplication(stage: stage)
        let agent = DemoUserAgent(http: stage.http, server: stage.server)
        let flow = stage.termAuth.flow
        try show.scene(title, steps: Self.steps)

        // 1: the person starts the application, which prepares PKCE and state.
        try show.begin(1)
        let attempt = app.beginAuthorization(scope: scope)
        show.show([
            .init(.note, "The person opens TermAuth Demo App; it needs their profile. It keeps"),
            .init(.note, "a PKCE verifier and a state value, then sends the browser on:"),
            .init(.field, "state=\(attempt.state)"),
            .init(.field, "code_verifier=\(Shown.short(attempt.verifier))  (stays in the app)"),
            .init(.field, "code_challenge=base64url(SHA-256(code_verifier))  (travels)"),
        ])
        show.set(1, .done)

        // 2: the browser asks /authorize; the server parks the request and shows its login.
        try show.begin(2)
        let (opened, handle) = try await agent.open(attempt.url)
        show.show(opened.requestLines + opened.responseLines)
        guard opened.status == 200, let handle else { return failed(2, show, "/authorize answered \(opened.status)") }
        let pending = try await flow.pending(handle: handle)
        show.note("Parked as \(pending.approvalCode); the server's login prompt comes next.")
        try show.pause()
        let session = ApprovalSession(flow: flow, runner: show.runner, loginNotice: stage.loginNotice)
        if let autopilot = show.autopilot {
            autopilot.type(DemoStage.username)
            autopilot.type([.tab])
            autopilot.type(stage.password)
            autopilot.type([.enter])
        }
        let user: SignedInUser
        switch try await session.signIn(pending) {
        case .quit: throw DemoQuit()
        case .cancelled:
            show.set(2, .failed)
            return try await deliverRefusal(show, agent: agent, handle: handle, attempt: attempt, why: "login cancelled")
        case .signedIn(let signedIn): user = signedIn
        }
        show.paint()
        show.note("Signed in as \(user.user.username).")
        show.set(2, .done)

        // 3: consent, unless a remembered one already covers these scopes.
        let consentAsked = try await flow.consentNeeded(pending, user: user)
        if consentAsked {
            try show.begin(3)
            show.note("First time for this application: the server asks which permissions to")
            show.note("grant, one checkbox each; a remembered decision would skip this step.")
            try show.pause()
            if let autopilot = show.autopilot {
                // Tick "Remember this decision" so the next run can skip this step, then approve.
                autopilot.type(Array(repeating: .down, count: pending.scopes.filter { !$0.required }.count))
                autopilot.type([.character(" "), .character("a")])
            }
        }
        let result = try await session.decide(pending, user: user)
        show.autopilot?.clear() // keys meant for a consent screen that a remembered consent skipped
        show.paint()
        switch result {
        case .quit: throw DemoQuit()
        case .denied:
            show.set(3, .failed)
            return try await deliverRefusal(show, agent: agent, handle: handle, attempt: attempt, why: "access denied")
        case .approved(let granted):
            if consentAsked {
                show.note("Granted: \(granted.string)")
                show.set(3, .done)
            } else {
                show.set(3, .skipped("consent remembered"))
            }
        }

        // 4: the server answers the browser with a redirect that carries the code.
        try show.begin(4)
        guard let code = try await redirectBack(show, agent: agent, handle: handle, attempt: attempt) else {
            return failed(4, show, "no code came back")
        }
        show.set(4, .done)

        // 5–6: the application trades the code (and its PKCE verifier) for tokens.
        try show.begin(5)
        let exchanged = try await app.exchange(code: code, attempt: attempt)
        show.show(exchanged.requestLines)
        show.set(5, .done)
        try show.begin(6)
        show.show(exchanged.responseLines)
        let tokenFields = exchanged.json
        guard exchanged.status == 200, let access = tokenFields["access_token"] else {
            return failed(6, show, "token endpoint answered \(exchanged.status) \(tokenFields["error"] ?? "")")
        }
        if let idToken = tokenFields["id_token"] {
            show.show(try await idTokenLines(idToken, attempt: attempt))
        }
        show.set(6, .done)
        let tokens = SceneOutcome.Tokens(access: access, refresh: tokenFields["refresh_token"])

        // 7–8: the resource server checks the bearer token and answers.
        try show.begin(7)
        let resource = try await app.resource(access)
        show.show(resource.requestLines)
        show.set(7, .done)
        try show.begin(8)
        show.show(resource.responseLines)
        let served = resource.json
        show.set(8, resource.status == 200 ? .done : .failed)
        let consent = consentAsked ? "consent asked" : "step 3 skipped (remembered)"
        return SceneOutcome(
            title, succeeded: resource.status == 200,
            "\(consent); resource \(resource.status), scope \(served["scope"] ?? "?")",
            tokens: tokens)
    }

    /// Step 6's ID token, decoded as the application reads it once the signature checks against
    /// the published key: what it learns about the person.
    private func idTokenLines(_ idToken: String, attempt: DemoApplication.Attempt) async throws -> [DemoScreen.Line] {
        let header = JOSEHeader(token: idToken)
        let claims: IDTokenClaims
        do {
            claims = try await stage.termAuth.keys.verify(idToken, as: IDTokenClaims.self).claims
        } catch {
            return [.init(.failure, "ID token: the signature does not check against /jwks.json")]
        }
        // Four lines: with the response above, step 6 still fits an 80×24 terminal.
        let nonce = claims.nonce == attempt.nonce ? "\(claims.nonce ?? "")  (the app's own)" : "\(claims.nonce ?? "none")  (NOT the app's)"
        return [
            .init(.note, "ID token, signature checked: alg \(header?.alg ?? "?"), kid \(String((header?.kid ?? "?").prefix(12)))…"),
            .init(.field, "  iss \(Shown.value("iss", claims.iss)) · aud \(claims.aud)"),
            .init(.field, "  sub \(claims.sub)  (who signed in; never the username)"),
            .init(
                claims.nonce == attempt.nonce ? .field : .failure,
                "  nonce \(nonce) · auth_time \(Timestamp.iso8601(claims.authTime))"),
        ]
    }

    /// The browser's page moves on once decided: a 302 to the redirect URI, followed to the app.
    /// Returns the code, or nil when the answer was an error.
    private func redirectBack(_ show: DemoShow, agent: DemoUserAgent, handle: String, attempt: DemoApplication.Attempt) async throws -> String? {
        let resumed = try await agent.resume(handle: handle)
        show.show(resumed.requestLines + resumed.responseLines)
        guard let location = resumed.location, let delivered = try await agent.follow(location) else { return nil }
        show.show([
            .init(.request, "→ GET \(delivered.url.path)  (the browser follows the redirect)"),
            .init(delivered.succeeded ? .success : .failure, "← \(delivered.status) from the application"),
        ])
        guard let answer = await stage.inbox.take() else { return nil }
        guard answer["state"] == attempt.state else {
            show.show([.init(.failure, "state does not match: the application refuses the answer")])
            return nil
        }
        if let error = answer["error"] {
            show.show([.init(.failure, "The application is told: error=\(error)")])
            return nil
        }
        guard let code = answer["code"] else { return nil }
        show.note("state matches what the app sent, so the code is for this attempt.")
        return code
    }

    /// Denied or cancelled: the application still gets an answer (error=access_denied), and the
    /// token steps do not happen.
    private func deliverRefusal(_ show: DemoShow, agent: DemoUserAgent, handle: String, attempt: DemoApplication.Attempt, why: String) async throws
        -> SceneOutcome
    {
        try show.begin(4)
        _ = try await redirectBack(show, agent: agent, handle: handle, attempt: attempt)
        show.set(4, .done)
        for number in 5...8 { show.set(number, .skipped(why)) }
        return SceneOutcome(title, succeeded: false, "\(why): the application was told access_denied")
    }

    private func failed(_ number: Int, _ show: DemoShow, _ why: String) -> SceneOutcome {
        show.set(number, .failed)
        return SceneOutcome(title, succeeded: false, why)
    }
}
