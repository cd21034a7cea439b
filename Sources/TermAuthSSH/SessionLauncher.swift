import TermAuthCore

/// How a session's screens are started: the `termauth` binary itself, with what it needs to
/// open the same store. The executable fills this in; this module imports no screens.
public struct SessionLauncher: Sendable {
    public var executable: String
    /// The subcommand and options every session's child gets (`ssh-session --config …`).
    public var arguments: [String]
    /// Passed whole to every child (the database location); the person's own variables are
    /// added only from `SessionEnvironment.allowed`.
    public var environment: [String: String]
    /// Where people reach the server, for the command a refused session is told to use.
    public var settings: Settings.SSH
    public var listeningHost: String

    public init(executable: String, arguments: [String], environment: [String: String], settings: Settings.SSH, listeningHost: String) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.settings = settings
        self.listeningHost = listeningHost
    }
}

/// What a session may run: the screens, one request's confirmation, or the operator console.
/// Nothing else, and never a shell.
enum SessionMode: Equatable {
    case codeEntry
    case code(String)
    case console

    init?(command: String?) {
        let text = (command ?? "").trimmingCharacters(in: .whitespaces)
        if text.isEmpty {
            self = .codeEntry
        } else if text == "console" {
            self = .console
        } else if (4...20).contains(text.count),
            text.unicodeScalars.allSatisfy({ $0.properties.isASCIIHexDigit || ("A"..."Z").contains($0) || ("a"..."z").contains($0) || $0 == "-" })
        {
            self = .code(text)
        } else {
            return nil
        }
    }

    var arguments: [String] {
        switch self {
        case .codeEntry: return []
        case .code(let code): return ["--code", code]
        case .console: return ["--console"]
        }
    }
}

/// The variables a person's client may set for their session (RFC 4254 §6.4): the terminal's
/// type and language, and colour preferences. Anything else could steer the child process.
enum SessionEnvironment {
    static func allowed(_ name: String) -> Bool {
        ["TERM", "LANG", "COLORTERM", "NO_COLOR"].contains(name) || (name.hasPrefix("LC_") && name.count <= 20)
    }
}
