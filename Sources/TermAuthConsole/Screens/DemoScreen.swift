/// `termauth demo`: the steps of one grant, each with the role that performs it, lit up as it
/// really happens, and below them the HTTP exchange of the latest step. The demo's director
/// changes this value and repaints; keys only move the demo along or stop it.
public struct DemoScreen: Screen {
    public enum Outcome: Equatable {
        case key(Key)
    }

    public enum StepState: Equatable, Sendable {
        case waiting, active, done, failed
        /// Did not need to happen, and why (shown where the roles go).
        case skipped(String)
    }

    public struct Step: Equatable, Sendable {
        public let number: Int
        public let title: String
        /// "resource owner → application": who acts, towards whom.
        public let roles: String
        public var state: StepState = .waiting

        public init(_ number: Int, _ title: String, _ roles: String) {
            self.number = number
            self.title = title
            self.roles = roles
        }
    }

    public struct Line: Equatable, Sendable {
        public enum Kind: Sendable { case request, success, failure, field, note }
        public let kind: Kind
        public let text: String

        public init(_ kind: Kind, _ text: String) {
            self.kind = kind
            self.text = text
        }
    }

    public var heading: String
    /// One line under the title: where the server is, and the demo user's credentials.
    public var facts: String
    public var steps: [Step]
    public var detailTitle = ""
    public var detail: [Line] = []
    public var hint: String

    public init(heading: String, facts: String, steps: [Step], hint: String) {
        self.heading = heading
        self.facts = facts
        self.steps = steps
        self.hint = hint
    }

    public mutating func update(_ key: Key) -> ScreenEffect<Outcome> {
        switch key {
        case .interrupt, .character("q"), .character("Q"): return .quit
        default: return .finish(.key(key))
        }
    }

    public func view(size: Size, theme: Theme) -> Canvas {
        let (panel, blank) = Panel.make(
            size: size, theme: theme, title: "TermAuth demo · \(heading)", hint: hint,
            preferredWidth: 100)
        guard let panel else { return blank }
        var canvas = panel.canvas
        let (x, w) = panel.inner
        canvas.put(TextWidth.untrusted(facts, width: w), row: panel.row(1), column: x, role: .hint)

        // Titles get their full width; roles take the rest, tightening "a → b" to "a→b" if short of room.
        let longestTitle = steps.map { TextWidth.of($0.title) }.max() ?? 0
        let rolesWidth = max(w / 3, w - 5 - longestTitle)
        let titleWidth = w - 5 - rolesWidth
        // A long summary keeps its newest rows and leaves at least three for the detail.
        let shownSteps = Array(steps.suffix(max(1, panel.height - 9)))
        for (i, step) in shownSteps.enumerated() {
            let row = panel.row(2 + i)
            let (marker, role) = Self.look(step.state)
            if step.state == .active { canvas.fill(row: row, from: x - 1, width: w + 1, role: .focusedField) }
            let title = TextWidth.untrusted(step.title, width: titleWidth)
            canvas.put("\(marker) \(step.number) \(title)", row: row, column: x - 1, role: role)
            var who = step.roles
            if TextWidth.of(who) > rolesWidth { who = who.replacing(" → ", with: "→") }
            if case .skipped(let why) = step.state { who = "skipped: \(why)" }
            let shown = TextWidth.untrusted(who, width: rolesWidth)
            canvas.put(shown, row: row, column: x + w - TextWidth.of(shown), role: step.state == .active ? role : .hint)
        }

        let separator = panel.row(2 + shownSteps.count)
        let label = detailTitle.isEmpty ? "" : " \(TextWidth.untrusted(detailTitle, width: w - 6)) "
        canvas.put(String(repeating: theme.glyphs.border.pieces.4, count: w), row: separator, column: x, role: .border)
        canvas.put(label, row: separator, column: x + 1, role: .title)

        let first = separator + 1
        let room = max(0, panel.fromBottom(3) - first + 1)
        // The newest lines matter most when an exchange runs long.
        for (offset, line) in detail.suffix(room).enumerated() {
            let role: Role =
                switch line.kind {
                case .request: .title
                case .success: .checkbox
                case .failure: .error
                case .field: .text
                case .note: .hint
                }
            let indent = line.kind == .field ? 4 : 0
            canvas.put(TextWidth.untrusted(line.text, width: w - indent), row: first + offset, column: x + indent, role: role)
        }
        return canvas
    }

    private static func look(_ state: StepState) -> (String, Role) {
        switch state {
        case .waiting: (" ", .hint)
        case .active: ("▶", .focusedField)
        case .done: ("✓", .checkbox)
        case .failed: ("✗", .error)
        case .skipped: ("↷", .locked)
        }
    }
}
