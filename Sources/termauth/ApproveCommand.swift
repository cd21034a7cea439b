import ArgumentParser
import Foundation
import TermAuthConsole
import TermAuthCore

/// Headless approval (seed step 3): the person signs in and decides a parked request. Before
/// approving, they see what they approve (on stderr) and confirm it: on the terminal when one
/// is attached, else with --yes. Whoever sent them the code cannot have it approved blind.
struct ApproveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "approve", abstract: "Approve or deny a parked request by its approval code.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var themeOptions: ThemeOptions
    @Argument(help: "The approval code shown to the user, e.g. BDWP-HQPK (case and dash do not matter).") var code: String
    @Option(help: "Sign in as this user (without it: the confirmation, sign-in and consent screens).") var user: String?
    @Flag(help: "Read the password from standard input (one line).") var passwordStdin = false
    @Option(name: .customLong("scope"), help: "Grant only this requested scope; repeat (default: all requested).") var scopes: [String] = []
    @Flag(help: "Remember this decision: later requests within these scopes skip consent.") var remember = false
    @Flag(help: "Deny the request instead.") var deny = false
    @Flag(help: "Approve when no terminal is attached to ask on (with one, it asks anyway).") var yes = false
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        guard ApprovalCode.normalize(code) != nil else {
            throw TermAuthError.invalidArgument("\(code) is not an approval code (8 letters such as BDWP-HQPK)")
        }
        let flow = try await global.open().flow
        let origin = LocalOrigin.commandLine
        let pending = try await flow.pending(approvalCode: code, source: origin, username: user)
        guard let username = user else {
            try await interactive(pending, flow: flow)
            return
        }
        Self.show(ApprovalContext(pending, now: flow.now))
        // With a terminal attached the person is always asked, --yes or not: a command sent by
        // someone else may well carry --yes. Without one, --yes is the confirmation.
        let confirmation = deny ? nil : try ConfirmationTerminal.open()
        guard deny || yes || confirmation != nil else {
            Output.error(
                "no terminal to confirm on: check the request above, then run again with --yes to approve it (or --deny); it is still pending")
            throw ExitCode(2)
        }
        let password = try PasswordInput.read(fromStdin: passwordStdin, prompt: "Password for \(username): ")
        let signedIn = try await flow.signIn(username: username, password: password, for: pending, origin: origin)
        let client = "\(Output.safe(pending.client.name)) (\(Output.safe(pending.client.id)))"
        if deny {
            try await flow.deny(pending, user: signedIn, origin: origin)
            if json {
                Output.json(Decision(approval_code: pending.approvalCode, client_id: pending.client.id, status: "denied", scope: nil))
            } else {
                Output.line("denied \(pending.approvalCode) for \(client)")
            }
            return
        }
        if let confirmation, !confirmation.ask("approve? [y/N] ") {
            try await flow.deny(pending, user: signedIn, origin: origin)
            Output.line("denied \(pending.approvalCode) for \(client)")
            throw ExitCode(1)
        }
        let granted = try await flow.approve(
            pending, user: signedIn, scopes: scopes.isEmpty ? nil : ScopeSet(scopes), remember: remember, origin: origin)
        if json {
            Output.json(Decision(approval_code: pending.approvalCode, client_id: pending.client.id, status: "approved", scope: granted.string))
        } else {
            Output.line("approved \(pending.approvalCode) for \(client): granted \"\(granted.string)\"\(remember ? " (remembered)" : "")")
        }
    }

    /// The request, on stderr, every value sanitised: it is all the client's or the caller's text.
    static func show(_ context: ApprovalContext) {
        var text = "termauth: you are about to decide this request:\n"
        for line in context.lines {
            text += "  " + line.label.padding(toLength: 15, withPad: " ", startingAt: 0) + Output.safe(line.value) + line.suffix + "\n"
        }
        text += "  " + ApprovalContext.warning + "\n"
        FileHandle.standardError.write(Data(text.utf8))
    }
}

extension ApproveCommand {
    /// Without --user: the confirmation, sign-in and consent screens, as `termauth device` has them.
    private func interactive(_ pending: PendingAuthorization, flow: AuthorizationFlow) async throws {
        let theme = try themeOptions.load()
        let result = try await TerminalUI.with(theme: theme) { terminal in
            try await ApprovalSession(flow: flow, runner: ScreenRunner(terminal: terminal, theme: theme)).run(pending, confirm: true)
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
