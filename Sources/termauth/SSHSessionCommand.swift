import ArgumentParser
import Foundation
import TermAuthConsole
import TermAuthCore

/// The screens of one SSH session. `termauth serve --ssh-port` starts this in a child process on
/// the session's pseudo-terminal; a key sign-in arrives as a ticket in the environment, which
/// only a process holding the installation's key file can make.
struct SSHSessionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ssh-session", abstract: "One SSH session's screens (started by termauth serve).", shouldDisplay: false)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var themeOptions: ThemeOptions
    @Option(help: "The SSH client's address.") var source: String
    @Option(help: "Go straight to this request.") var code: String?
    @Flag(help: "Open the operator console.") var console = false

    func run() async throws {
        let termAuth = try await global.open()
        var signedIn: SignedInUser?
        if let ticket = ProcessInfo.processInfo.environment["TERMAUTH_SSH_TICKET"] {
            signedIn = try await termAuth.sessionTickets.redeem(ticket, source: source)
        }
        let start: RemoteSession.Start = console ? .console : code.map { .code($0) } ?? .codeEntry
        let theme = try themeOptions.load()
        let outcome = try await TerminalUI.with(theme: theme) { terminal in
            try await RemoteSession(
                termAuth: termAuth, runner: ScreenRunner(terminal: terminal, theme: theme), source: source, signedIn: signedIn
            ).run(start)
        }
        switch outcome {
        case .approved:
            if code != nil { Output.line("approved") }
        case .denied:
            Output.line("denied")
            throw ExitCode(1)
        case .left:
            if code != nil {
                Output.line("nothing decided")
                throw ExitCode(1)
            }
        case .refused(let why):
            Output.error(why)
            throw ExitCode(1)
        }
    }
}
