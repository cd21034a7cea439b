/// RFC 8628 §5.4, first half: the person types the code their device shows. Never pre-filled
/// unless given on the command line, so a code cannot be slipped in by whoever sent a link.
public struct DeviceCodeScreen: Screen {
    public enum Outcome: Equatable {
        case submit(String)
        case cancel
    }

    var code = TextField()
    /// What the code may belong to: a device (RFC 8628), or any parked request (over SSH,
    /// where a browser's waiting page sends people too).
    public var anyRequest = false
    public var message: String?
    /// A line for the person from the program that opened the screen (the demo says what its
    /// device shows); drawn where refusals go, and replaced by them.
    public var notice: String?

    public init(code: String = "") {
        self.code.text = code
    }

    public mutating func update(_ key: Key) -> ScreenEffect<Outcome> {
        switch key {
        case .interrupt: return .quit
        case .escape: return .finish(.cancel)
        case .enter:
            guard !code.text.isEmpty else {
                message = anyRequest ? "Type the code you were shown." : "Type the code your device shows."
                return .stay
            }
            return .finish(.submit(code.text))
        default:
            _ = code.handle(key)
        }
        return .stay
    }

    /// After a wrong code: say so and start over.
    public mutating func refused(_ message: String) {
        self.message = message
        code.text = ""
    }

    public func view(size: Size, theme: Theme) -> Canvas {
        let (panel, blank) = Panel.make(
            size: size, theme: theme, title: anyRequest ? "TermAuth · Approve" : "TermAuth · Approve a device",
            hint: "Enter continue · Esc cancel · Ctrl-C quit", preferredHeight: 14)
        guard let panel else { return blank }
        var canvas = panel.canvas
        let (x, w) = panel.inner
        canvas.put(
            anyRequest ? "Type the code shown on your device or on the browser's waiting page." : "Type the code shown on your device.",
            row: panel.row(2), column: x, role: .title)
        canvas.put("It looks like BDWP-HQPK; case and dashes do not matter.", row: panel.row(3), column: x, role: .hint)
        let fieldX = x + 6
        canvas.put("Code", row: panel.row(5), column: x)
        canvas.fill(row: panel.row(5), from: fieldX, width: 14, role: .focusedField)
        let shown = code.display(width: 14)
        canvas.put(shown, row: panel.row(5), column: fieldX, role: .focusedField)
        canvas.cursor = (panel.row(5), fieldX + min(13, TextWidth.of(shown)))
        if let message {
            canvas.put(TextWidth.truncate(message, to: w), row: panel.row(7), column: x, role: .error)
        } else if let notice {
            canvas.put(TextWidth.untrusted(notice, width: w), row: panel.row(7), column: x, role: .hint)
        }
        return canvas
    }
}
