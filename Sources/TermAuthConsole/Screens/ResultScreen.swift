/// What a decision came to, in an SSH session that goes on: Enter for another code, Esc (or q)
/// to leave.
public struct ResultScreen: Screen {
    public enum Outcome: Equatable {
        case again
        case leave
    }

    public let lines: [String]
    public let isError: Bool

    public init(lines: [String], isError: Bool = false) {
        self.lines = lines
        self.isError = isError
    }

    public mutating func update(_ key: Key) -> ScreenEffect<Outcome> {
        switch key {
        case .interrupt: return .quit
        case .enter: return .finish(.again)
        case .escape, .character("q"): return .finish(.leave)
        default: return .stay
        }
    }

    public func view(size: Size, theme: Theme) -> Canvas {
        var message = MessageScreen(title: "Result", lines: lines, isError: isError)
        message.hint = "Enter another code · Esc leave"
        return message.view(size: size, theme: theme)
    }
}
