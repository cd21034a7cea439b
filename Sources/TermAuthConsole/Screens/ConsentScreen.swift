import TermAuthCore

/// First-time consent: "<client> wants to:", one checkbox per requested scope with its
/// description in the person's language, required scopes checked and locked, "Remember this
/// decision", and Approve / Deny drawn alike. Enter on a checkbox toggles it, never approves.
public struct ConsentScreen: Screen {
    public enum Outcome: Equatable {
        case approve(scopes: ScopeSet, remember: Bool)
        case deny
    }

    struct Item: Equatable {
        let name: String
        let description: String
        let required: Bool
        var checked: Bool
    }

    enum Focus: Equatable {
        case scope(Int)
        case remember, approve, deny
    }

    let context: ApprovalContext
    let username: String
    /// The SSH key the person signed in with, if they did not type a password.
    public var key: String?
    var items: [Item]
    var remember = false
    var focus: Focus

    public init(pending: PendingAuthorization, username: String, language: String?, now: Int64 = Timestamp.now()) {
        context = ApprovalContext(pending, now: now)
        self.username = username
        // Required (locked) scopes first, so the ones a person may change sit together.
        let ordered = pending.scopes.filter(\.required) + pending.scopes.filter { !$0.required }
        items = ordered.map { Item(name: $0.name, description: $0.description(for: language), required: $0.required, checked: true) }
        focus = items.firstIndex { !$0.required }.map(Focus.scope) ?? .remember
    }

    /// Focus order: changeable scopes, remember, Approve, Deny.
    private var order: [Focus] {
        items.indices.filter { !items[$0].required }.map(Focus.scope) + [.remember, .approve, .deny]
    }

    public var granted: ScopeSet { ScopeSet(items.filter(\.checked).map(\.name)) }

    public mutating func update(_ key: Key) -> ScreenEffect<Outcome> {
        let order = self.order
        let index = order.firstIndex(of: focus) ?? 0
        switch key {
        case .interrupt: return .quit
        case .escape, .character("d"), .character("D"): return .finish(.deny)
        case .character("a"), .character("A"): return .finish(.approve(scopes: granted, remember: remember))
        case .tab, .down: focus = order[(index + 1) % order.count]
        case .backTab, .up: focus = order[(index + order.count - 1) % order.count]
        case .left where focus == .deny: focus = .approve
        case .right where focus == .approve: focus = .deny
        case .character(" "), .enter:
            switch focus {
            case .scope(let i): items[i].checked.toggle()
            case .remember: remember.toggle()
            case .approve: return .finish(.approve(scopes: granted, remember: remember))
            case .deny: return .finish(.deny)
            }
        default: break
        }
        return .stay
    }

    public func view(size: Size, theme: Theme) -> Canvas {
        let (panel, blank) = Panel.make(
            size: size, theme: theme, title: "TermAuth · Allow access?",
            hint: "↑↓ move · Space toggle · a approve · d deny · Esc deny",
            preferredHeight: 17 + items.count)
        guard let panel else { return blank }
        var canvas = panel.canvas
        let (x, w) = panel.inner
        let c = context
        let chosen = ApprovalContext.nameMarker + " wants to:"
        canvas.put(TextWidth.untrusted(c.clientName, width: w - TextWidth.of(chosen)) + chosen, row: panel.row(2), column: x, role: .title)
        canvas.put("client id \(TextWidth.untrusted(c.clientID, width: w - 30)) · code \(c.approvalCode)", row: panel.row(3), column: x, role: .hint)
        canvas.put("answer goes to \(TextWidth.untrusted(c.destination, width: w - 15))", row: panel.row(4), column: x, role: .hint)
        canvas.put(
            "requested \(ApprovalContext.age(c.ageSeconds)) ago from \(TextWidth.untrusted(c.source, width: w - 24))",
            row: panel.row(5), column: x, role: .hint)
        let end = canvas.put("signed in as \(TextWidth.untrusted(username, width: max(8, w - 50))) · ", row: panel.row(6), column: x, role: .hint)
        canvas.put(ApprovalContext.warning, row: panel.row(6), column: end, role: .error)
        if let key { canvas.put("with key \(TextWidth.untrusted(key, width: w - 9))", row: panel.row(7), column: x, role: .hint) }

        // Rows left for scopes between the header (8) and remember/buttons/hint (6 rows).
        let listTop = panel.row(8)
        let room = max(1, panel.fromBottom(7) - listTop)
        let focusedItem: Int? = {
            if case .scope(let i) = focus { return i }; return nil
        }()
        let first = max(0, min((focusedItem ?? 0) - room + 1, items.count - room))
        for (offset, i) in items.indices.dropFirst(first).prefix(room).enumerated() {
            let item = items[i]
            let row = listTop + offset
            let focused = focusedItem == i
            let glyph = item.required ? theme.glyphs.locked : (item.checked ? theme.glyphs.checked : theme.glyphs.unchecked)
            let marker = focused ? "›" : " "
            let tag = item.required ? " (required)" : ""
            let name = " [\(TextWidth.untrusted(item.name, width: 20))]"
            let available = w - 2 - TextWidth.of(glyph) - 1 - TextWidth.of(tag) - TextWidth.of(name)
            let line = "\(marker)\(glyph) \(TextWidth.untrusted(item.description, width: available))\(tag)"
            if focused { canvas.fill(row: row, from: x - 1, width: w + 1, role: .focusedField) }
            let end = canvas.put(line, row: row, column: x - 1, role: focused ? .focusedField : (item.required ? .locked : .checkbox))
            canvas.put(name, row: row, column: end, role: focused ? .focusedField : .hint)
        }
        if first > 0 { canvas.put("↑ more", row: listTop - 1, column: x + w - 6, role: .hint) }
        if first + room < items.count { canvas.put("↓ more", row: listTop + room, column: x + w - 6, role: .hint) }

        let rememberRow = panel.fromBottom(6)
        let rememberFocused = focus == .remember
        if rememberFocused { canvas.fill(row: rememberRow, from: x - 1, width: w + 1, role: .focusedField) }
        canvas.put(
            (rememberFocused ? "›" : " ") + (remember ? theme.glyphs.checked : theme.glyphs.unchecked) + " Remember this decision",
            row: rememberRow, column: x - 1, role: rememberFocused ? .focusedField : .checkbox)
        let buttonFocus: Int? = focus == .approve ? 0 : (focus == .deny ? 1 : nil)
        Buttons.draw(["Approve", "Deny"], focused: buttonFocus, row: panel.fromBottom(4), panel: panel, into: &canvas)
        return canvas
    }
}
