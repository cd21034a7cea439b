import TermAuthCore

/// Before a request reached by its code is approved (a device's user code, or a browser's
/// request parked for the terminal): who asks, where the answer goes, where and how long ago
/// the request came from, the code, and a warning against codes from strangers (RFC 8628 §5.4,
/// the cross-device BCP). Shown even when a remembered consent will skip the checkboxes.
/// Focus starts on Deny, and Deny is drawn exactly like Continue.
public struct ApprovalConfirmScreen: Screen {
    public enum Outcome: Equatable {
        case proceed
        case deny
    }

    let context: ApprovalContext
    let isDevice: Bool
    var focusOnDeny = true

    public init(pending: PendingAuthorization, now: Int64) {
        context = ApprovalContext(pending, now: now)
        isDevice = pending.request.responseType == .deviceCode
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
        let (panel, blank) = Panel.make(
            size: size, theme: theme, title: isDevice ? "TermAuth · Approve a device" : "TermAuth · Approve a sign-in",
            hint: "←→ choose · Enter confirm · d or Esc deny", preferredHeight: 19)
        guard let panel else { return blank }
        var canvas = panel.canvas
        let (x, w) = panel.inner
        canvas.put(
            isDevice ? "A device asks to use your account:" : "An application asks to use your account:", row: panel.row(2), column: x, role: .title)
        for (i, line) in context.lines.enumerated() {
            canvas.put(line.label, row: panel.row(4 + i), column: x, role: .hint)
            let value = TextWidth.untrusted(line.value, width: w - 16 - TextWidth.of(line.suffix)) + line.suffix
            canvas.put(value, row: panel.row(4 + i), column: x + 16)
        }
        let after = 4 + context.lines.count + 1
        canvas.put(
            isDevice ? "Only continue if you started this on a device you own." : "Only continue if you started this sign-in yourself.",
            row: panel.row(after), column: x, role: .error)
        canvas.put(ApprovalContext.warning, row: panel.row(after + 1), column: x, role: .error)
        Buttons.draw(["Continue", "Deny"], focused: focusOnDeny ? 1 : 0, row: panel.fromBottom(4), panel: panel, into: &canvas)
        return canvas
    }
}
