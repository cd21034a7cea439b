import TermAuthCore

/// The operator console: parked requests (live), remembered consents with revoke, and the
/// tail of the audit log. Picking a request hands it to the sign-in and consent screens.
public struct ConsoleScreen: Screen {
    public enum View: Int, CaseIterable { case requests, consents, audit }

    public struct ConsentRow: Equatable, Sendable {
        public let username: String
        public let clientID: String
        public let scope: String
        public let since: Int64
        public init(username: String, clientID: String, scope: String, since: Int64) {
            self.username = username
            self.clientID = clientID
            self.scope = scope
            self.since = since
        }
    }

    public enum Outcome: Equatable {
        case handle(PendingAuthorization)
        case revoke(ConsentRow)
        case quit
    }

    public private(set) var view = View.requests
    var selection = 0
    var requests: [PendingAuthorization] = []
    var consents: [ConsentRow] = []
    var audit: [AuditEvent] = []
    var now: Int64 = 0
    public var status: String?

    public init() {}

    public mutating func refresh(requests: [PendingAuthorization], consents: [ConsentRow], audit: [AuditEvent], now: Int64) {
        self.requests = requests
        self.consents = consents
        self.audit = audit
        self.now = now
        selection = min(selection, max(0, rowCount - 1))
    }

    private var rowCount: Int {
        switch view {
        case .requests: return requests.count
        case .consents: return consents.count
        case .audit: return audit.count
        }
    }

    public mutating func update(_ key: Key) -> ScreenEffect<Outcome> {
        switch key {
        case .interrupt: return .quit
        case .escape, .character("q"): return .finish(.quit)
        case .tab, .right:
            view = View(rawValue: (view.rawValue + 1) % View.allCases.count)!
            selection = 0
        case .backTab, .left:
            view = View(rawValue: (view.rawValue + View.allCases.count - 1) % View.allCases.count)!
            selection = 0
        case .character("1"): view = .requests; selection = 0
        case .character("2"): view = .consents; selection = 0
        case .character("3"): view = .audit; selection = 0
        case .down: selection = min(selection + 1, max(0, rowCount - 1))
        case .up: selection = max(selection - 1, 0)
        case .enter where view == .requests && selection < requests.count:
            return .finish(.handle(requests[selection]))
        case .character("r") where view == .consents && selection < consents.count,
            .delete where view == .consents && selection < consents.count:
            return .finish(.revoke(consents[selection]))
        default: break
        }
        return .stay
    }

    public func view(size: Size, theme: Theme) -> Canvas {
        let hints: [View: String] = [
            .requests: "↑↓ select · Enter sign in and decide · Tab next view · q quit",
            .consents: "↑↓ select · r revoke · Tab next view · q quit",
            .audit: "Tab next view · q quit",
        ]
        let (panel, blank) = Panel.make(size: size, theme: theme, title: "TermAuth · Console", hint: hints[view]!, preferredWidth: 100)
        guard let panel else { return blank }
        var canvas = panel.canvas
        let (x, w) = panel.inner
        var tabX = x
        for v in View.allCases {
            let label = " \(v.rawValue + 1) \(["Requests (\(requests.count))", "Consents", "Audit"][v.rawValue]) "
            tabX = canvas.put(label, row: panel.row(1), column: tabX, role: v == view ? .focusedButton : .button) + 1
        }
        if let status { canvas.put(TextWidth.truncate(status, to: w), row: panel.fromBottom(3), column: x, role: .error) }
        let top = panel.row(3)
        let room = max(0, panel.fromBottom(3) - top)
        // Only the rows on screen are formatted: the list can hold thousands of parked requests,
        // and the console redraws every second.
        let count = rowCount
        let first = max(0, min(selection - room + 1, count - room))
        let shown = first..<min(count, first + room)
        let header: String
        let rows: [String]
        switch view {
        case .requests:
            header = pad(["CODE", "CLIENT", "SCOPE", "AGE", "FROM"], [9, 24, 20, 5, 14])
            rows = requests[shown].map { p in
                pad(
                    [
                        p.approvalCode, "\(p.client.name) (\(p.client.id))", p.request.scopes.string, ApprovalContext.age(now - p.request.createdAt),
                        p.request.origin,
                    ],
                    [9, 24, 20, 5, 14])
            }
            if requests.isEmpty { canvas.put("No requests waiting. New ones appear here as they arrive.", row: top + 1, column: x, role: .hint) }
        case .consents:
            header = pad(["USER", "CLIENT", "SCOPE", "SINCE"], [16, 22, 30, 12])
            rows = consents[shown].map { pad([$0.username, $0.clientID, $0.scope, ApprovalContext.age(now - $0.since) + " ago"], [16, 22, 30, 12]) }
            if consents.isEmpty { canvas.put("No remembered consents.", row: top + 1, column: x, role: .hint) }
        case .audit:
            header = pad(["AGE", "EVENT", "CLIENT", "USER", "FROM", "DETAIL"], [5, 17, 14, 10, 12, 30])
            rows = shown.map { audit[audit.count - 1 - $0] }.map {
                pad(
                    [ApprovalContext.age(now - $0.at), $0.kind.rawValue, $0.clientID ?? "", $0.username ?? "", $0.origin ?? "", $0.detail],
                    [5, 17, 14, 10, 12, 30])
            }
        }
        canvas.put(TextWidth.truncate(header, to: w), row: top - 1, column: x, role: .hint)
        for (offset, text) in rows.enumerated() {
            let i = first + offset
            let selected = i == selection && view != .audit
            let row = top + offset
            if selected { canvas.fill(row: row, from: x - 1, width: w + 1, role: .focusedField) }
            canvas.put((selected ? "›" : " ") + TextWidth.truncate(text, to: w - 1), row: row, column: x - 1, role: selected ? .focusedField : .text)
        }
        return canvas
    }

    /// Columns cut and padded by display width; every cell is untrusted text.
    private func pad(_ cells: [String], _ widths: [Int]) -> String {
        zip(cells, widths).map { cell, width in
            let fitted = TextWidth.untrusted(cell, width: width)
            return fitted + String(repeating: " ", count: max(0, width - TextWidth.of(fitted)))
        }.joined(separator: " ")
    }
}
