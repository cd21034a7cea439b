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
        let (panel, blank) = Panel.make(
            size: size, theme: theme, title: "TermAuth · Result", hint: "Enter another code · Esc leave", preferredHeight: lines.count + 6)
        guard let panel else { return blank }
        var canvas = panel.canvas
        let (x, w) = panel.inner
        for (i, line) in lines.prefix(panel.height - 5).enumerated() where panel.height > 5 {
            canvas.put(TextWidth.untrusted(line, width: w), row: panel.row(2 + i), column: x, role: i == 0 ? (isError ? .error : .title) : .text)
        }
        return canvas
    }
}
