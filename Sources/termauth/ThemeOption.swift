import ArgumentParser
import Foundation
import TermAuthConsole
import TermAuthCore

/// `--theme` for the commands that open the terminal UI.
struct ThemeOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp("Terminal UI theme: a name from Themes/ or a .toml path (default: $TERMAUTH_THEME, else default).", valueName: "name|path")
    )
    var theme: String?

    func load() throws -> Theme {
        do { return try ThemeLoader.load(theme) } catch let error as ThemeLoader.Failure {
            throw TermAuthError.configuration(error.description)
        }
    }
}

/// Opens the ncurses terminal for a block of work and always gives it back.
enum TerminalUI {
    static func with<T>(theme: Theme, _ body: (NCursesTerminal) async throws -> T) async throws -> T {
        guard isatty(STDIN_FILENO) != 0, isatty(STDOUT_FILENO) != 0 else {
            throw TermAuthError.invalidArgument("the terminal UI needs a terminal; for scripts use --user and --password-stdin")
        }
        let terminal = NCursesTerminal(theme: theme)
        defer { terminal.restore() }
        return try await body(terminal)
    }
}
