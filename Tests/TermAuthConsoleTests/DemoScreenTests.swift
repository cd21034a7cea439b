import Testing
@testable import TermAuthConsole

@Suite struct DemoScreenTests {
    static let seed = [
        DemoScreen.Step(1, "Access application", "resource owner → application"),
        DemoScreen.Step(2, "Authenticate, request authorization", "application → authorization server"),
        DemoScreen.Step(3, "Grant authorization", "resource owner → authorization server"),
        DemoScreen.Step(4, "Send authorization code", "authorization server → application"),
        DemoScreen.Step(5, "Exchange code for token", "application → authorization server"),
        DemoScreen.Step(6, "Issue access token", "authorization server → application"),
        DemoScreen.Step(7, "Request resource with token", "application → resource server"),
        DemoScreen.Step(8, "Return resource", "resource server → application"),
    ]

    @Test func eightStepsAndTheirRolesFitEightyColumnsWithoutTruncation() {
        var screen = DemoScreen(
            heading: "Authorization Code grant + PKCE", facts: "server http://127.0.0.1:1 · user demo",
            steps: Self.seed, hint: "q quit")
        screen.steps[0].state = .done
        screen.steps[1].state = .active
        screen.steps[4].state = .skipped("access denied")
        let lines = screen.view(size: ScreenFixtures.size, theme: .builtIn).lines
        let text = lines.joined(separator: "\n")
        #expect(!text.contains("…"), "nothing is cut short at 80x24:\n\(text)")
        #expect(lines[2].contains("✓ 1 Access application") && lines[2].contains("resource owner → application"))
        #expect(lines[3].contains("▶ 2 Authenticate, request authorization"))
        #expect(lines[6].contains("↷ 5 Exchange code for token") && lines[6].contains("skipped: access denied"))
        #expect(lines[9].contains("8 Return resource") && lines[9].contains("resource server → application"))
        // The one role pair too long for its column is tightened, not truncated.
        #expect(text.contains("resource owner→authorization server"))
    }

    @Test func detailShowsTheNewestLinesWhenTheyOverflow() {
        var screen = DemoScreen(heading: "x", facts: "", steps: Self.seed, hint: "")
        screen.detailTitle = "5 Exchange code for token"
        screen.detail = (1...30).map { DemoScreen.Line(.field, "line \($0)") }
        let text = ScreenFixtures.text(screen.view(size: ScreenFixtures.size, theme: .builtIn))
        #expect(text.contains("5 Exchange code for token"))
        #expect(text.contains("line 30"))
        #expect(!text.contains("line 1\n") && !text.contains("line 19 "))
    }

    @Test func untrustedTextCannotReachTheTerminal() {
        var screen = DemoScreen(heading: "h", facts: "server \u{1B}]0;pwned\u{07}", steps: [], hint: "")
        screen.detail = [DemoScreen.Line(.field, "error_description: \u{1B}[2J\u{202E}evil")]
        let text = ScreenFixtures.text(screen.view(size: ScreenFixtures.size, theme: .builtIn))
        #expect(!text.unicodeScalars.contains { $0 == "\u{1B}" || $0 == "\u{07}" || $0 == "\u{202E}" })
    }

    @Test func qQuitsAndOtherKeysMoveOn() {
        var screen = DemoScreen(heading: "h", facts: "", steps: Self.seed, hint: "")
        guard case .quit = screen.update(.character("q")) else { Issue.record("q quits"); return }
        guard case .quit = screen.update(.interrupt) else { Issue.record("Ctrl-C quits"); return }
        guard case .finish(.key(.character(" "))) = screen.update(.character(" ")) else { Issue.record("Space moves on"); return }
    }

    @Test func tooSmallTerminalSaysSo() {
        let screen = DemoScreen(heading: "h", facts: "", steps: Self.seed, hint: "")
        let text = ScreenFixtures.text(screen.view(size: Size(columns: 30, rows: 10), theme: .builtIn))
        #expect(text.contains("Terminal too small"))
    }
}

@Suite struct AutopilotTests {
    @Test func typesQueuedKeysThenFallsBackToTheKeyboard() {
        let keyboard = MemoryTerminal(keys: [])
        let autopilot = Autopilot(over: keyboard, keyDelayMilliseconds: 1)
        autopilot.type("ab")
        autopilot.type([.enter])
        #expect(autopilot.readKey(timeoutMilliseconds: nil) == .character("a"))
        #expect(autopilot.readKey(timeoutMilliseconds: nil) == .character("b"))
        #expect(autopilot.readKey(timeoutMilliseconds: nil) == .enter)
        keyboard.press(.tab)
        #expect(autopilot.readKey(timeoutMilliseconds: 5) == .tab, "the real keyboard once the queue is empty")
    }

    @Test func aRealQStopsTheTyping() {
        let keyboard = MemoryTerminal(keys: [.character("q")])
        let autopilot = Autopilot(over: keyboard, keyDelayMilliseconds: 1)
        autopilot.type("demo")
        #expect(autopilot.readKey(timeoutMilliseconds: nil) == .interrupt)
        keyboard.press(.enter)
        #expect(autopilot.readKey(timeoutMilliseconds: 5) == .enter, "nothing queued is typed after the stop")
    }
}
