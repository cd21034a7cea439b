import ArgumentParser
import TermAuthConsole

/// The operator console (`OperatorConsole`): parked requests, consents with revoke, the audit tail.
struct ConsoleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "console", abstract: "Operator console: parked requests, consents, audit log.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var themeOptions: ThemeOptions

    func run() async throws {
        let theme = try themeOptions.load()
        let termAuth = try await global.open()
        try await TerminalUI.with(theme: theme) { terminal in
            try await OperatorConsole(termAuth: termAuth, runner: ScreenRunner(terminal: terminal, theme: theme)).run()
        }
    }
}
