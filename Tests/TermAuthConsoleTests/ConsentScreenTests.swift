import Testing
import TermAuthCore
@testable import TermAuthConsole

@Suite struct ConsentScreenTests {
    @Test func focusStartsOnTheFirstChangeableScopeAndRequiredIsLocked() {
        var screen = ConsentScreen(pending: ScreenFixtures.pending(), username: "alice", language: nil)
        #expect(screen.focus == .scope(1))
        let text = ScreenFixtures.text(screen.view(size: ScreenFixtures.size, theme: .builtIn))
        #expect(text.contains("Demo App (name chosen by the client) wants to:"))
        #expect(text.contains("[#] Know who you are (required)"))
        #expect(text.contains("›[x] Read your profile"))
        #expect(text.contains("[x] Read your email address"))
        #expect(text.contains("[ ] Remember this decision"))
        // Walking never lands on the locked scope.
        var seen: [ConsentScreen.Focus] = []
        for _ in 0..<5 {
            seen.append(screen.focus)
            _ = screen.update(.down)
        }
        #expect(seen == [.scope(1), .scope(2), .remember, .approve, .deny])
        #expect(screen.focus == .scope(1), "focus wraps around")
    }

    @Test func enterOnACheckboxTogglesAndNeverApproves() {
        var screen = ConsentScreen(pending: ScreenFixtures.pending(), username: "alice", language: nil)
        _ = screen.update(.down)
        guard case .stay = screen.update(.enter) else { Issue.record("Enter on a checkbox must not finish"); return }
        guard case .stay = screen.update(.character(" ")) else { Issue.record("Space toggles"); return }
        _ = screen.update(.character(" "))
        #expect(screen.granted == ScopeSet(["openid", "profile"]))
        let text = ScreenFixtures.text(screen.view(size: ScreenFixtures.size, theme: .builtIn))
        #expect(text.contains("›[ ] Read your email address"))
    }

    @Test func approveGrantsWhatIsCheckedPlusRequired() {
        var screen = ConsentScreen(pending: ScreenFixtures.pending(), username: "alice", language: nil)
        _ = screen.update(.character(" ")) // untick profile
        _ = screen.update(.down)
        _ = screen.update(.down)
        _ = screen.update(.character(" ")) // remember
        guard case .finish(.approve(let scopes, let remember)) = screen.update(.character("a")) else {
            Issue.record("a approves")
            return
        }
        #expect(scopes == ScopeSet(["openid", "email"]))
        #expect(remember)
    }

    @Test func denyFromAnywhereAndEscapeDenies() {
        var screen = ConsentScreen(pending: ScreenFixtures.pending(), username: "alice", language: nil)
        guard case .finish(.deny) = screen.update(.character("d")) else { Issue.record("d denies"); return }
        guard case .finish(.deny) = screen.update(.escape) else { Issue.record("Esc denies"); return }
        for _ in 0..<4 { _ = screen.update(.down) }
        #expect(screen.focus == .deny)
        guard case .finish(.deny) = screen.update(.enter) else { Issue.record("Enter on Deny denies"); return }
    }

    @Test func scopeDescriptionsInTheUsersLanguageKeepColumnsAligned() throws {
        let screen = ConsentScreen(pending: ScreenFixtures.pending(), username: "alice", language: "zh-CN")
        let canvas = screen.view(size: ScreenFixtures.size, theme: .builtIn)
        let row = canvas.lines.firstIndex { $0.contains("读取你的个人资料") }
        #expect(row != nil)
        if let row {
            // Each CJK character takes two cells: the second is a continuation.
            let start = (0..<80).first { canvas[row, $0].text == "读" }!
            #expect(canvas[row, start + 1].isContinuation)
            #expect(canvas[row, start + 2].text == "取")
            // The right border stays in its column.
            let titleRow = try #require(canvas.lines.firstIndex { $0.contains("wants to:") })
            let borderColumn = try #require((0..<80).last { canvas[titleRow, $0].text == "│" })
            #expect(canvas[row, borderColumn].text == "│")
        }
    }

    @Test func hostileClientNamesCannotRepaintTheScreen() {
        let evil = "Evil\u{1B}[2J\rApp\u{202E}gnp.exe\u{200B}"
        let screen = ConsentScreen(pending: ScreenFixtures.pending(clientName: evil), username: "alice", language: nil)
        let canvas = screen.view(size: ScreenFixtures.size, theme: .builtIn)
        let all = canvas.cells.map(\.text).joined()
        for bad in ["\u{1B}", "\r", "\u{202E}", "\u{200B}"] { #expect(!all.contains(bad)) }
        #expect(ScreenFixtures.text(canvas).contains("Evil[2JAppgnp.exe (name chosen by the client) wants to:"))
    }

    @Test func longDescriptionsAreCutWithAnEllipsis() throws {
        let long = Scope(name: "files", description: String(repeating: "Read and write every file you own ", count: 5))
        let screen = ConsentScreen(pending: ScreenFixtures.pending(scopes: [long]), username: "alice", language: nil)
        let line = try #require(screen.view(size: ScreenFixtures.size, theme: .builtIn).lines.first { $0.contains("Read and write") })
        #expect(line.contains("…"))
        #expect(line.contains("[files]"))
        #expect(TextWidth.of(line) == 80)
    }

    @Test func manyScopesScrollWithTheFocus() {
        let scopes = (1...20).map { Scope(name: "s\($0)", description: "Scope number \($0)") }
        var screen = ConsentScreen(pending: ScreenFixtures.pending(scopes: scopes), username: "alice", language: nil)
        for _ in 0..<19 { _ = screen.update(.down) }
        let text = ScreenFixtures.text(screen.view(size: ScreenFixtures.size, theme: .builtIn))
        #expect(text.contains("›[x] Scope number 20"))
        #expect(text.contains("↑ more"))
    }

    /// Consent phishing: before approving, the person sees where the request came from and
    /// when, its code, where the answer goes, and the warning.
    @Test func showsWhereAndWhenTheRequestCameFromAndTheWarning() {
        let screen = ConsentScreen(pending: ScreenFixtures.pending(), username: "alice", language: nil, now: 125)
        let text = ScreenFixtures.text(screen.view(size: ScreenFixtures.size, theme: .builtIn))
        #expect(text.contains("client id demo · code BDWP-HQPK"))
        #expect(text.contains("answer goes to http://127.0.0.1:4000"))
        #expect(text.contains("requested 2m ago from 127.0.0.1"))
        #expect(text.contains("signed in as alice · Deny if someone sent you this code."))
    }
}
