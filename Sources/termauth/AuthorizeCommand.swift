import ArgumentParser
import AsyncHTTPClient
import Foundation
import TermAuthConsole
import TermAuthCore
import TermAuthServer

/// The terminal as the user agent for one `/authorize` URL: what a CLI tool prints as "open this
/// in your browser". Validates through the core, signs in, asks consent, then delivers the
/// answer: to a loopback listener directly, otherwise by printing the redirect URL.
struct AuthorizeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "authorize", abstract: "Sign in and approve one /authorize URL in this terminal.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var themeOptions: ThemeOptions
    @Argument(help: "The authorization URL, e.g. http://127.0.0.1:8080/authorize?response_type=code&client_id=...") var url: String
    @Option(help: "This server's issuer URL (default: the settings' issuer, else http://HOST:PORT of the settings' [server]).")
    var issuer: String?

    func run() async throws {
        guard let components = URLComponents(string: url), components.path.hasSuffix("/authorize"),
            let query = components.percentEncodedQuery
        else { throw TermAuthError.invalidArgument("not an authorization URL (expected .../authorize?response_type=code&client_id=...)") }
        let settings = try global.settings()
        // The issuer the client gets back in `iss` (RFC 9207) is this server's, never one read
        // from the pasted URL: a URL built for another server is refused instead.
        let issuer = try self.issuer.map(Settings.issuer) ?? settings.issuer ?? settings.serverURL(host: settings.host, port: settings.port)
        guard let asked = Self.issuer(of: components).flatMap({ try? Settings.issuer($0) }), asked == issuer else {
            throw TermAuthError.invalidArgument(
                "this URL is for \(Output.safe(Self.issuer(of: components) ?? "another server")), not this server (\(issuer)); pass --issuer if this server is reached by that address"
            )
        }
        let pairs: [(String, String)]
        do { pairs = try FormParser.parse(Substring(query)) } catch {
            throw TermAuthError.malformedParameter("query", reason: error.reason)
        }
        let theme = try themeOptions.load()
        let termAuth = try await global.open()
        let flow = termAuth.flow
        let validated: ValidatedAuthorization
        do { validated = try await flow.validator.validate(pairs) } catch let rejection as AuthorizeRejection {
            if case .showError(let error) = rejection {
                throw TermAuthError.invalidArgument("this authorization URL cannot be used: \(error.description)")
            }
            throw TermAuthError.invalidArgument("the request was refused: \(rejection.error.description)")
        }
        let parked = try await flow.park(validated, origin: "terminal on \(ProcessInfo.processInfo.hostName)")
        let pending = try await flow.pending(requestID: parked.request.id)
        let result = try await TerminalUI.with(theme: theme) { terminal in
            try await ApprovalSession(flow: flow, runner: ScreenRunner(terminal: terminal, theme: theme)).run(pending)
        }
        switch result {
        case .quit:
            Output.line("cancelled; nothing was sent to \(Output.safe(validated.client.name))")
            throw ExitCode(1)
        case .approved(let scopes):
            Output.line("approved: \(Output.safe(validated.client.name)) gets \"\(scopes.string)\"")
        case .denied:
            Output.line("denied: \(Output.safe(validated.client.name)) is told access_denied")
        }
        guard case .redirect(let location) = try await flow.deliver(requestID: parked.request.id, issuer: issuer) else {
            throw TermAuthError.requestAlreadyDecided
        }
        try await Delivery.send(location)
        if case .denied = result { throw ExitCode(1) }
    }
}

extension AuthorizeCommand {
    /// `http://host:port/prefix` from `http://host:port/prefix/authorize?…`.
    static func issuer(of components: URLComponents) -> String? {
        guard let scheme = components.scheme, let host = components.host else { return nil }
        let port = components.port.map { ":\($0)" } ?? ""
        let path = String(components.path.dropLast("/authorize".count))
        return "\(scheme)://\(host.contains(":") ? "[\(host)]" : host)\(port)\(path)"
    }
}

/// Step 4: hand the redirect to the client.
enum Delivery {
    static func send(_ location: String) async throws {
        guard let target = URL(string: location), target.scheme == "http",
            let host = target.host, host == "127.0.0.1" || host == "::1" || host == "[::1]" || host == "localhost"
        else {
            Output.line("Open this URL to finish (it carries the answer to the application):")
            Output.line(location)
            return
        }
        // AsyncHTTPClient, not URLSession: see `DemoHTTP` for what FoundationNetworking costs.
        // A client of its own, so the read timeout also bounds an application that sends its
        // headers and then trickles the body.
        let client = HTTPClient(configuration: .init(timeout: .init(connect: .seconds(10), read: .seconds(10))))
        do {
            let response = try await client.execute(HTTPClientRequest(url: location), timeout: .seconds(10))
            let status = response.status.code
            var head: [UInt8] = []
            for try await chunk in response.body {
                head += chunk.readableBytesView.prefix(200 - head.count)
                if head.count == 200 { break }
            }
            let firstLine = String(decoding: head, as: UTF8.self).split(separator: "\n").first.map(String.init) ?? ""
            Output.line("delivered to the application at \(host):\(target.port ?? 80): HTTP \(status) \(Output.safe(firstLine))")
        } catch {
            Output.line("the application at \(host):\(target.port ?? 80) did not answer; open this URL to finish:")
            Output.line(location)
        }
        try? await client.shutdown()
    }
}
