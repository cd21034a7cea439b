/// The variables a person's client may set for their session (RFC 4254 §6.4): the terminal's
/// type and language, and colour preferences, each a short plain word. Anything else could
/// steer the child process: another variable, or a value such as a path for the locale loader.
enum SessionEnvironment {
    /// More than a terminal and its locale need.
    static let maxVariables = 16

    static func allowed(_ name: String, value: String) -> Bool {
        let named = ["TERM", "LANG", "COLORTERM", "NO_COLOR"].contains(name) || (name.hasPrefix("LC_") && name.count <= 20)
        return named && isPlainWord(value)
    }

    /// Such as `xterm-256color` or `en_US.UTF-8`.
    static func isPlainWord(_ value: String) -> Bool {
        (1...64).contains(value.utf8.count)
            && value.unicodeScalars.allSatisfy { s in
                ("0"..."9").contains(s) || ("A"..."Z").contains(s) || ("a"..."z").contains(s) || "_.@+-".unicodeScalars.contains(s)
            }
    }
}
