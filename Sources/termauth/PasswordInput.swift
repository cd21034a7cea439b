import Foundation
import TermAuthCore

/// Reads a password from stdin (`--password-stdin`, one line) or from the terminal without echo.
enum PasswordInput {
    static func read(fromStdin: Bool, prompt: String, confirm: Bool = false) throws -> String {
        if fromStdin {
            guard let line = readLine(strippingNewline: true) else {
                throw TermAuthError.invalidArgument("--password-stdin: nothing on standard input")
            }
            return line
        }
        guard isatty(STDIN_FILENO) != 0 else {
            throw TermAuthError.invalidArgument("no terminal to ask for the password; use --password-stdin")
        }
        let first = try prompted(prompt)
        if confirm {
            guard try prompted("Again: ") == first else { throw TermAuthError.invalidArgument("the passwords do not match") }
        }
        return first
    }

    private static func prompted(_ prompt: String) throws -> String {
        FileHandle.standardError.write(Data(prompt.utf8))
        var saved = termios()
        tcgetattr(STDIN_FILENO, &saved)
        var silent = saved
        silent.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &silent)
        defer {
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved)
            FileHandle.standardError.write(Data("\n".utf8))
        }
        guard let line = readLine(strippingNewline: true) else { throw TermAuthError.invalidArgument("no password given") }
        return line
    }
}
