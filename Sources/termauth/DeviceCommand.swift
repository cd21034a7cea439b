import ArgumentParser
import TermAuthConsole
import TermAuthCore

/// RFC 8628 in the terminal: type the code a device shows, check what it is, sign in, consent.
struct DeviceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "device", abstract: "Approve a device (RFC 8628) from this terminal.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var themeOptions: ThemeOptions
    @Argument(help: "The code the device shows (asked on screen when left out).") var userCode: String?

    func run() async throws {
        let theme = try themeOptions.load()
        let termAuth = try await global.open()
        let result = try await TerminalUI.with(theme: theme) { terminal in
            try await DeviceSession(termAuth: termAuth, runner: ScreenRunner(terminal: terminal, theme: theme)).run(code: userCode)
        }
        switch result {
        case .approved(let scopes): Output.line("approved: the device gets \"\(scopes.string)\" on its next poll")
        case .denied:
            Output.line("denied: the device is told access_denied")
            throw ExitCode(1)
        case .quit:
            Output.line("nothing approved")
            throw ExitCode(1)
        }
    }
}
