import TermAuthConsole

/// The stage manager: owns the demo screen, lights steps as they happen, paces them for the
/// chosen mode, and lends the terminal to the real login, consent and device screens.
final class DemoShow {
    let terminal: any Terminal
    let theme: Theme
    let configuration: DemoConfiguration
    /// Set in auto mode: types for the person.
    let autopilot: Autopilot?
    var screen: DemoScreen

    init(terminal: any Terminal, theme: Theme, configuration: DemoConfiguration, facts: String) {
        if configuration.mode == .auto {
            let autopilot = Autopilot(over: terminal, keyDelayMilliseconds: max(10, configuration.paceMilliseconds / 10))
            self.autopilot = autopilot
            self.terminal = autopilot
        } else {
            autopilot = nil
            self.terminal = terminal
        }
        self.theme = theme
        self.configuration = configuration
        screen = DemoScreen(heading: "", facts: facts, steps: [], hint: "")
    }

    /// For the real screens of steps 2–3 and the device screen.
    var runner: ScreenRunner { ScreenRunner(terminal: terminal, theme: theme) }

    var stepHint: String {
        switch configuration.mode {
        case .step: "Space next step · q quit"
        case .live: "steps run by themselves · any key hurries · q quit"
        case .auto: "playing by itself · q quit"
        }
    }

    /// A new set of steps. Unattended, the last scene's final step stays up for one pause first.
    func scene(_ heading: String, steps: [DemoScreen.Step]) throws {
        if configuration.mode == .auto && !screen.steps.isEmpty { try pause() }
        screen.heading = heading
        screen.steps = steps
        screen.detailTitle = ""
        screen.detail = []
        screen.hint = stepHint
        paint()
    }

    func paint() { terminal.draw(screen.view(size: terminal.size, theme: theme)) }

    /// Waits as the mode says, then marks step `number` as happening now.
    func begin(_ number: Int) throws {
        try pause()
        set(number, .active)
        screen.detailTitle = screen.steps.first { $0.number == number }.map { "\($0.number) \($0.title)" } ?? ""
        screen.detail = []
        paint()
    }

    func set(_ number: Int, _ state: DemoScreen.StepState) {
        guard let index = screen.steps.firstIndex(where: { $0.number == number }) else { return }
        screen.steps[index].state = state
        paint()
    }

    func show(_ lines: [DemoScreen.Line]) {
        screen.detail += lines
        paint()
    }

    func note(_ text: String) { show([.init(.note, text)]) }

    /// The pause between steps. Any key but q hurries it (in step mode: ends it).
    func pause() throws {
        let timeout: Int? = configuration.mode == .step ? nil : configuration.paceMilliseconds
        while true {
            switch runner.step(&screen, timeoutMilliseconds: timeout) {
            case nil, .finish?: return
            case .quit?: throw DemoQuit()
            case .stay?: continue // a resize: repaint and keep waiting
            }
        }
    }

    /// Waits for one of `choices` (or q); the hint lists them.
    func choose(_ hint: String, _ choices: Set<Character>) throws -> Character {
        screen.hint = hint
        while true {
            switch runner.step(&screen, timeoutMilliseconds: nil) {
            case .finish(.key(.character(let c)))? where choices.contains(Character(c.lowercased())):
                screen.hint = stepHint
                return Character(c.lowercased())
            case .quit?: throw DemoQuit()
            default: continue
            }
        }
    }
}
