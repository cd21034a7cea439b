import Testing
import TermAuthCore
@testable import TermAuthConsole

@Suite struct LoginScreenTests {
    func login() -> LoginScreen {
        LoginScreen(clientName: "Demo App", clientID: "demo", redirectURI: "http://127.0.0.1:4000/callback")
    }

    @Test func showsWhoIsAskingAndWhereTheAnswerGoes() {
        let text = ScreenFixtures.text(login().view(size: ScreenFixtures.size, theme: .builtIn))
        #expect(text.contains("Demo App (demo)"))
        #expect(text.contains("your answer at: http://127.0.0.1:4000"))
        #expect(text.contains("Sign in"))
        #expect(text.contains("Cancel"))
    }

    @Test func typingFillsFieldsAndThePasswordIsMasked() {
        var screen = login()
        for c in "alice" { _ = screen.update(.character(c)) }
        _ = screen.update(.enter)
        for c in "s3cret!" { _ = screen.update(.character(c)) }
        let text = ScreenFixtures.text(screen.view(size: ScreenFixtures.size, theme: .builtIn))
        #expect(text.contains("alice"))
        #expect(!text.contains("s3cret"))
        #expect(text.contains("•••••••"))
        guard case .finish(.signIn(let user, let password)) = screen.update(.enter) else {
            Issue.record("Enter on the password field should submit")
            return
        }
        #expect(user == "alice" && password == "s3cret!")
    }

    @Test func focusOrderAndButtons() {
        var screen = login()
        #expect(screen.focus == .username)
        _ = screen.update(.tab)
        #expect(screen.focus == .password)
        _ = screen.update(.tab)
        #expect(screen.focus == .signIn)
        _ = screen.update(.tab)
        #expect(screen.focus == .cancel)
        _ = screen.update(.tab)
        #expect(screen.focus == .username)
        _ = screen.update(.backTab)
        #expect(screen.focus == .cancel)
        guard case .finish(.cancel) = screen.update(.enter) else { Issue.record("Enter on Cancel cancels"); return }
    }

    @Test func escapeCancelsAndCtrlCQuits() {
        var screen = login()
        guard case .finish(.cancel) = screen.update(.escape) else { Issue.record("Esc cancels"); return }
        guard case .quit = screen.update(.interrupt) else { Issue.record("Ctrl-C quits"); return }
    }

    @Test func emptyFieldsAreNotSubmittedAndBackspaceEdits() {
        var screen = login()
        _ = screen.update(.tab)
        _ = screen.update(.tab)
        guard case .stay = screen.update(.enter) else { Issue.record("empty username must not submit"); return }
        #expect(screen.message == "Enter your username.")
        for c in "bobx" { _ = screen.update(.character(c)) }
        _ = screen.update(.backspace)
        #expect(screen.username.text == "bob")
        _ = screen.update(.character("\u{1B}"))
        #expect(screen.username.text == "bob", "control characters never get into a field")
    }

    @Test func refusalKeepsUsernameClearsPassword() {
        var screen = login()
        for c in "alice" { _ = screen.update(.character(c)) }
        _ = screen.update(.tab)
        for c in "wrong" { _ = screen.update(.character(c)) }
        screen.refused("incorrect username or password")
        #expect(screen.username.text == "alice" && screen.password.text.isEmpty && screen.focus == .password)
        #expect(ScreenFixtures.text(screen.view(size: ScreenFixtures.size, theme: .builtIn)).contains("incorrect username or password"))
    }

    @Test func tooSmallTerminalSaysHowBigItMustBe() {
        let text = ScreenFixtures.text(login().view(size: Size(columns: 30, rows: 8), theme: .builtIn))
        #expect(text.contains("Terminal too small"))
        #expect(text.contains("44×14"))
    }

    /// A device has no redirect: the screen says how it gets its answer instead of ending in
    /// an empty "your answer at:".
    @Test func aDeviceRequestSaysWhenTheDeviceHearsBack() {
        let text = ScreenFixtures.text(
            LoginScreen(clientName: "TV", clientID: "tv", redirectURI: "").view(size: ScreenFixtures.size, theme: .builtIn))
        #expect(text.contains("the device gets its answer when it next asks."))
        #expect(!text.contains("your answer at"))
    }
}
