/// Shows screens on a terminal: paint, read a key, update, paint again.
public struct ScreenRunner {
    public let terminal: any Terminal
    public let theme: Theme

    public init(terminal: any Terminal, theme: Theme) {
        self.terminal = terminal
        self.theme = theme
    }

    /// Until the screen finishes.
    public func run<S: Screen>(_ screen: inout S) -> ScreenEffect<S.Outcome> {
        while true {
            if let effect = step(&screen, timeoutMilliseconds: nil), !effect.isStay { return effect }
        }
    }

    /// One paint and at most one key; nil when the timeout passed first (for live screens).
    public func step<S: Screen>(_ screen: inout S, timeoutMilliseconds: Int?) -> ScreenEffect<S.Outcome>? {
        terminal.draw(screen.view(size: terminal.size, theme: theme))
        guard let key = terminal.readKey(timeoutMilliseconds: timeoutMilliseconds) else { return nil }
        if key == .resize { return .stay }
        return screen.update(key)
    }
}

extension ScreenEffect {
    var isStay: Bool {
        if case .stay = self { return true }
        return false
    }
}
