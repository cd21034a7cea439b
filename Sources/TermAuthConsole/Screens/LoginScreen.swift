import TermAuthCore

/// Sign-in: who is asking (client name and id, and where it will send the person, to spot a
/// phishing client), username, masked password, Sign in / Cancel, and the last refusal.
public struct LoginScreen: Screen {
    public enum Outcome: Equatable {
        case signIn(username: String, password: String)
        case cancel
    }

    enum Focus: Int, CaseIterable { case username, password, signIn, cancel }

    let clientName: String
    let clientID: String
    /// Where the answer goes, or nil for a device, which polls for it.
    let redirectOrigin: String?
    var username = TextField()
    var password = TextField(masked: true)
    var focus = Focus.username
    /// Set by the runner after a refusal; never says which of the two was wrong.
    public var message: String?
    /// A line for the person from the program that opened the screen (the demo shows its
    /// credentials); drawn where refusals go, and replaced by them.
    public var notice: String?

    public init(clientName: String, clientID: String, redirectURI: String, username: String = "") {
        self.clientName = clientName
        self.clientID = clientID
        self.redirectOrigin = ApprovalContext.origin(of: redirectURI)
        self.username.text = username
        if !username.isEmpty { focus = .password }
    }

    /// After a refusal: keep the username, clear the password, focus it.
    public mutating func refused(_ message: String) {
        self.message = message
        password.text = ""
        focus = .password
    }

    public mutating func update(_ key: Key) -> ScreenEffect<Outcome> {
        switch key {
        case .interrupt: return .quit
        case .escape: return .finish(.cancel)
        case .tab, .down: focus = Focus(rawValue: (focus.rawValue + 1) % Focus.allCases.count)!
        case .backTab, .up: focus = Focus(rawValue: (focus.rawValue + Focus.allCases.count - 1) % Focus.allCases.count)!
        case .left where focus == .cancel: focus = .signIn
        case .right where focus == .signIn: focus = .cancel
        case .enter:
            switch focus {
            case .username: focus = .password
            case .password, .signIn: return submit()
            case .cancel: return .finish(.cancel)
            }
        default:
            switch focus {
            case .username: _ = username.handle(key)
            case .password: _ = password.handle(key)
            case .signIn, .cancel:
                if key == .character(" ") { return focus == .signIn ? submit() : .finish(.cancel) }
            }
        }
        return .stay
    }

    private mutating func submit() -> ScreenEffect<Outcome> {
        guard !username.text.isEmpty else {
            message = "Enter your username."
            focus = .username
            return .stay
        }
        guard !password.text.isEmpty else {
            message = "Enter your password."
            focus = .password
            return .stay
        }
        return .finish(.signIn(username: username.text, password: password.text))
    }

    public func view(size: Size, theme: Theme) -> Canvas {
        let (panel, blank) = Panel.make(
            size: size, theme: theme, title: "TermAuth · Sign in",
            hint: "Tab/↑↓ move · Enter confirm · Esc cancel · Ctrl-C quit", preferredHeight: 16)
        guard let panel else { return blank }
        var canvas = panel.canvas
        let (x, w) = panel.inner
        var row = panel.row(2)
        let who = TextWidth.untrusted(clientName, width: w - 30)
        canvas.put("\(who) (\(TextWidth.untrusted(clientID, width: 24)))", row: row, column: x, role: .title)
        row += 1
        if let redirectOrigin {
            canvas.put("asks you to sign in. After you decide, it gets", row: row, column: x)
            row += 1
            canvas.put("your answer at: ", row: row, column: x)
            canvas.put(TextWidth.untrusted(redirectOrigin, width: w - 16), row: row, column: x + 16, role: .title)
        } else {
            canvas.put("asks you to sign in for a device. After you decide,", row: row, column: x)
            row += 1
            canvas.put("the device gets its answer when it next asks.", row: row, column: x)
        }
        row += 2
        let fieldX = x + 11
        let fieldWidth = min(34, w - 11)
        for (focusCase, label, field) in [(Focus.username, "Username", username), (Focus.password, "Password", password)] {
            let focused = focus == focusCase
            canvas.put((focused ? "›" : " ") + label, row: row, column: x - 1, role: focused ? .title : .text)
            canvas.fill(row: row, from: fieldX, width: fieldWidth, role: focused ? .focusedField : .field)
            canvas.put(field.display(width: fieldWidth), row: row, column: fieldX, role: focused ? .focusedField : .field)
            if focused { canvas.cursor = (row, fieldX + min(fieldWidth - 1, TextWidth.of(field.display(width: fieldWidth)))) }
            row += 2
        }
        if let message {
            canvas.put(TextWidth.truncate(message, to: w), row: row, column: x, role: .error)
        } else if let notice {
            canvas.put(TextWidth.untrusted(notice, width: w), row: row, column: x, role: .hint)
        }
        row += 2
        let buttonFocus: Int? = focus == .signIn ? 0 : (focus == .cancel ? 1 : nil)
        Buttons.draw(["Sign in", "Cancel"], focused: buttonFocus, row: min(row, panel.fromBottom(4)), panel: panel, into: &canvas)
        return canvas
    }
}
