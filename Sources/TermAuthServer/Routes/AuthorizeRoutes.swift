import HTTPTypes
import Hummingbird
import ServiceLifecycle
import TermAuthCore

/// `GET /authorize` (RFC 6749 §4.1.1), and `POST` with a form body (OpenID Connect Core
/// §3.1.2.1): validate, park, then wait for a person's decision.
/// A browser gets a page showing the approval code that refreshes itself until decided; any
/// other agent (curl, a CLI's helper) is held open until then and answered with the redirect.
struct AuthorizeRoutes: Sendable {
    let termAuth: TermAuth
    let issuer: IssuerURL
    let longPolls: LongPollGate
    /// How often a waiting agent looks for a decision made by another process.
    var pollInterval: Duration = .milliseconds(200)
    /// `ssh -p PORT HOST` when the SSH front end runs: the waiting page names it first.
    let sshCommand: String?

    init(termAuth: TermAuth, issuer: IssuerURL, sshCommand: String? = nil) {
        self.termAuth = termAuth
        self.issuer = issuer
        self.sshCommand = sshCommand
        longPolls = LongPollGate(limit: termAuth.settings.limits.longPolls, limitPerSource: termAuth.settings.limits.longPollsPerSource)
    }

    func register(on router: Router<TermAuthRequestContext>) {
        router.get("authorize") { request, context in try await authorize(request, context) }
        router.post("authorize") { request, context in try await authorize(request, context) }
        router.get("authorize/continue") { request, context in try await resume(request, context) }
    }

    private func authorize(_ request: Request, _ context: TermAuthRequestContext) async throws -> Response {
        let browser = wantsHTML(request)
        do {
            let (place, text): (String, String)
            if request.method == .post {
                guard FormBody.isForm(request.headers[.contentType]) else {
                    return errorPage(.malformedParameter("Content-Type", reason: "must be application/x-www-form-urlencoded"), browser: browser)
                }
                (place, text) = ("body", String(buffer: try await FormBody.read(request, upTo: context.maxUploadSize)))
            } else {
                (place, text) = ("query", request.uri.query ?? "")
            }
            let pairs: [(String, String)]
            do { pairs = try FormParser.parse(Substring(text)) } catch {
                return errorPage(.malformedParameter(place, reason: error.reason), browser: browser)
            }
            return try await answer(pairs, request, browser: browser, context)
        } catch is CancellationError {
            return Response(status: .noContent) // nobody is left to read it
        }
    }

    /// Validates and parks; a browser gets the waiting page, any other agent is held until the
    /// decision.
    private func answer(_ pairs: [(String, String)], _ request: Request, browser: Bool, _ context: TermAuthRequestContext) async throws
        -> Response
    {
        let validated: ValidatedAuthorization
        do {
            validated = try await termAuth.flow.validator.validate(pairs)
        } catch let rejection as AuthorizeRejection {
            guard let location = rejection.redirectURL(issuer: issuer.value) else { return errorPage(rejection.error, browser: browser) }
            return redirect(location)
        }
        if browser {
            let parked = try await termAuth.flow.park(validated, origin: context.peer)
            return waitingPage(parked.approvalCode, client: validated.client, handle: parked.handle)
        }
        // The place is taken before parking: a refused agent leaves nothing behind.
        let source = AttemptKey.network(context.peer)
        try longPolls.enter(source)
        defer { longPolls.leave(source) }
        let parked = try await termAuth.flow.park(validated, origin: context.peer)
        // An agent that hangs up stops the wait (else it would poll until the request expires). A
        // POST's connection is watched from the end of its body on, so its place in `longPolls`
        // is freed the same way.
        return try await request.body.consumeWithCancellationOnInboundClose { _ in try await longPoll(handle: parked.handle) }
    }

    /// The browser page's self-refresh lands here.
    private func resume(_ request: Request, _ context: TermAuthRequestContext) async throws -> Response {
        let pairs = (try? FormParser.parse(Substring(request.uri.query ?? ""))) ?? []
        guard let handle = pairs.first(where: { $0.0 == "handle" })?.1 else {
            return errorPage(.missingParameter("handle"), browser: true)
        }
        do {
            switch try await termAuth.flow.deliver(handle: handle, issuer: issuer.value) {
            case .redirect(let location): return redirect(location)
            case .alreadyDelivered:
                return HTMLPage.response(title: "Already completed", body: "<p>This request has been completed. You can close this page.</p>")
            case .waiting:
                // A device code is a handle too; the flow refuses it as a browser's (`browserRequest`).
                let pending = try await termAuth.flow.pending(handle: handle)
                return waitingPage(pending.approvalCode, client: pending.client, handle: handle)
            }
        } catch let error as TermAuthError {
            return errorPage(error, browser: true)
        }
    }

    private func longPoll(handle: String) async throws -> Response {
        while true {
            switch try await termAuth.flow.deliver(handle: handle, issuer: issuer.value) {
            case .redirect(let location): return redirect(location)
            case .alreadyDelivered: return errorPage(.requestAlreadyDecided, browser: false)
            case .waiting:
                // Graceful shutdown waits for in-flight requests; a wait of minutes must not hold it.
                if Task.isShuttingDownGracefully { return errorPage(.shuttingDown, browser: false) }
                try await Task.sleep(for: pollInterval)
            }
        }
    }

    private func redirect(_ location: String) -> Response {
        var headers = HTTPFields.noStore
        headers[.location] = location
        return Response(status: .found, headers: headers)
    }

    private func wantsHTML(_ request: Request) -> Bool {
        request.headers[.accept]?.contains("text/html") ?? false
    }

    private func waitingPage(_ code: String, client: Client, handle: String) -> Response {
        let body = """
            <p><strong>\(HTMLPage.escape(Sanitized.line(client.name)))</strong> (<code>\(HTMLPage.escape(client.id))</code>) \
            asks for access to your account.</p>
            <p>Your approval code is</p><p class="code">\(code)</p>
            \(sshCommand.map { "<p>Approve it from any terminal with SSH:</p><p><code>\(HTMLPage.escape($0)) \(code)</code></p><p>or in a terminal of this server:</p>" } ?? "<p>Approve it in a terminal of this server:</p>")
            <p><code>termauth approve \(code)</code></p>
            <p>or pick it in <code>termauth console</code>. Either shows you who asks, from where and when, before you decide.
            This page moves on by itself once you have decided. If you did not start this sign-in, do nothing: it expires.</p>
            """
        return HTMLPage.response(
            title: "Approve in your terminal", body: body, refreshTo: "/authorize/continue?handle=\(FormEncoding.encode(handle))")
    }

    private func errorPage(_ error: TermAuthError, browser: Bool) -> Response {
        guard browser else { return error.httpResponse }
        let body =
            "<p>\(HTMLPage.escape(error.description)).</p><p>The application that sent you here is misconfigured or the link is stale; you were not redirected back to it.</p>"
        return HTMLPage.response(status: error.status, title: "Authorization error", body: body)
    }
}
