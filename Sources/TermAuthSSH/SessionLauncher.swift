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
