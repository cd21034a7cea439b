import TermAuthCore

/// RFC 8628 §5.4, second half: before signing in, show what is being approved (client name and
/// id, when and from where the request came) and warn against codes from strangers.
/// Focus starts on Deny, and Deny is drawn exactly like Continue.
public struct DeviceConfirmScreen: Screen {
    public enum Outcome: Equatable {
        case proceed
        case deny
    }

    let pending: PendingAuthorization
    let now: Int64
    var focusOnDeny = true

    public init(pending: PendingAuthorization, now: Int64) {
        self.pending = pending
        self.now = now
    }

    public mutating func update(_ key: Key) -> ScreenEffect<Outcome> {
        switch key {
        case .interrupt: return .quit
        case .escape, .character("d"), .character("D"): return .finish(.deny)
        case .tab, .backTab, .left, .right, .up, .down: focusOnDeny.toggle()
        case .enter, .character(" "): return .finish(focusOnDeny ? .deny : .proceed)
        default: break
        }
        return .stay
    }

    public func view(size: Size, theme: Theme) -> Canvas {
        let (panel, blank) = Panel.make(size: size, theme: theme, title: "TermAuth · Approve a device",
                                        hint: "←→ choose · Enter confirm · Esc deny", preferredHeight: 17)
        guard let panel else { return blank }
        var canvas = panel.canvas
        let (x, w) = panel.inner
        let request = pending.request
        canvas.put("A device asks to use your account:", row: panel.row(2), column: x, role: .title)
        let rows = [
            ("Application", "\(pending.client.name) (\(pending.client.id))"),
            ("Code", pending.approvalCode),
            ("Requested", "\(ConsoleScreen.age(now - request.createdAt)) ago from \(request.origin)"),
            ("Access to", request.scopes.isEmpty ? "(no particular scope)" : request.scopes.string),
        ]
        for (i, (label, value)) in rows.enumerated() {
            canvas.put(label, row: panel.row(4 + i), column: x, role: .hint)
            canvas.put(TextWidth.untrusted(value, width: w - 13), row: panel.row(4 + i), column: x + 13)
        }
        canvas.put("Only continue if you started this on a device you own.", row: panel.row(9), column: x, role: .error)
        canvas.put("If someone sent you this code, choose Deny.", row: panel.row(10), column: x, role: .error)
        Buttons.draw(["Continue", "Deny"], focused: focusOnDeny ? 1 : 0, row: panel.fromBottom(4), panel: panel, into: &canvas)
        return canvas
    }
}
