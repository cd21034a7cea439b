/// Completion and error screens: what happened, and what the person does next.
public struct MessageScreen: Screen {
    public let title: String
    public let lines: [String]
    public let isError: Bool
    /// The keys line; screens that reuse this view for other keys say theirs.
    var hint = "Enter close"

    public init(title: String, lines: [String], isError: Bool = false) {
        self.title = title
        self.lines = lines
        self.isError = isError
    }

    public mutating func update(_ key: Key) -> ScreenEffect<Void> {
        switch key {
        case .interrupt: return .quit
        case .enter, .escape, .character(" "), .character("q"): return .finish(())
        default: return .stay
        }
    }

    public func view(size: Size, theme: Theme) -> Canvas {
        let (panel, blank) = Panel.make(size: size, theme: theme, title: "TermAuth · \(title)", hint: hint, preferredHeight: lines.count + 6)
        guard let panel else { return blank }
        var canvas = panel.canvas
        let (x, w) = panel.inner
        for (i, line) in lines.prefix(panel.height - 5).enumerated() where panel.height > 5 {
            canvas.put(TextWidth.untrusted(line, width: w), row: panel.row(2 + i), column: x, role: i == 0 ? (isError ? .error : .title) : .text)
        }
        return canvas
    }
}
