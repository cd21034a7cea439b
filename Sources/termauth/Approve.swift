import ArgumentParser
import TermAuthConsole
import TermAuthCore

/// Headless approval (seed step 3): the person signs in and decides a parked request.
struct Approve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Approve or deny a parked request by its approval code.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var themeOptions: ThemeOptions
    @Argument(help: "The approval code shown to the user, e.g. BDWP-HQPK (case and dash do not matter).") var code: String
    @Option(help: "Sign in as this user (without it: the sign-in and consent screens).") var user: String?
    @Flag(help: "Read the password from standard input (one line).") var passwordStdin = false
    @Option(name: .customLong("scope"), help: "Grant only this requested scope; repeat (default: all requested).") var scopes: [String] = []
    @Flag(help: "Remember this decision: later requests within these scopes skip consent.") var remember = false
    @Flag(help: "Deny the request instead.") var deny = false
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        guard ApprovalCode.normalize(code) != nil else {
            throw TermAuthError.invalidArgument("\(code) is not an approval code (8 letters such as BDWP-HQPK)")
        }
        let flow = try await global.open().flow
        let pending = try await flow.pending(approvalCode: code)
        guard let username = user else {
            try await interactive(pending, flow: flow)
            return
        }
        let password = try PasswordInput.read(fromStdin: passwordStdin, prompt: "Password for \(username): ")
        let signedIn = try await flow.signIn(username: username, password: password, for: pending, origin: "cli")
        let client = "\(Output.safe(pending.client.name)) (\(Output.safe(pending.client.id)))"
        if deny {
            try await flow.deny(pending, user: signedIn, origin: "cli")
            if json { Output.json(Decision(approval_code: pending.approvalCode, client_id: pending.client.id, status: "denied", scope: nil)) } else {
                Output.line("denied \(pending.approvalCode) for \(client)")
            }
            return
        }
        let granted = try await flow.approve(pending, user: signedIn, scopes: scopes.isEmpty ? nil : ScopeSet(scopes), remember: remember, origin: "cli")
        if json {
            Output.json(Decision(approval_code: pending.approvalCode, client_id: pending.client.id, status: "approved", scope: granted.string))
        } else {
            Output.line("approved \(pending.approvalCode) for \(client): granted \"\(granted.string)\"\(remember ? " (remembered)" : "")")
        }
    }
}

extension Approve {
    /// Without --user: the same sign-in and consent screens as `termauth authorize`.
    private func interactive(_ pending: PendingAuthorization, flow: AuthorizationFlow) async throws {
        let theme = try themeOptions.load()
        let result = try await TerminalUI.with(theme: theme) { terminal in
            try await ApprovalSession(flow: flow, runner: ScreenRunner(terminal: terminal, theme: theme)).run(pending)
        }
        switch result {
        case .approved(let scopes): Output.line("approved \(pending.approvalCode): granted \"\(scopes.string)\"")
        case .denied: Output.line("denied \(pending.approvalCode)")
        case .quit:
            Output.line("left \(pending.approvalCode) undecided")
            throw ExitCode(1)
        }
    }
}

struct Decision: Encodable {
    let approval_code: String
    let client_id: String
    let status: String
    let scope: String?
}
