import Testing
@testable import TermAuthCore
@testable import TermAuthConsole

@Suite struct ApprovalConfirmScreenTests {
    @Test func showsTheRequestsContextAndStartsOnDeny() {
        var screen = ApprovalConfirmScreen(pending: ScreenFixtures.pending(), now: 7200)
        let text = ScreenFixtures.text(screen.view(size: ScreenFixtures.size, theme: .builtIn))
        #expect(text.contains("Approve a sign-in"))
        #expect(text.contains("Demo App (name chosen by the client)"))
        #expect(text.contains("Client id       demo"))
        #expect(text.contains("Answer goes to  http://127.0.0.1:4000"))
        #expect(text.contains("Requested       2h ago from 127.0.0.1"))
        #expect(text.contains("Code            BDWP-HQPK"))
        #expect(text.contains("Deny if someone sent you this code."))
        #expect(screen.update(.enter) == .finish(.deny))
    }

    @Test func aDeviceIsNamedAsSuchAndContinueTakesAMove() {
        let base = ScreenFixtures.pending()
        var request = base.request
        request.responseType = .deviceCode
        request.redirectURI = ""
        var screen = ApprovalConfirmScreen(
            pending: PendingAuthorization(request: request, approvalCode: base.approvalCode, client: base.client, scopes: base.scopes), now: 30)
        let text = ScreenFixtures.text(screen.view(size: ScreenFixtures.size, theme: .builtIn))
        #expect(text.contains("Approve a device"))
        #expect(text.contains("a device, which gets its answer when it next asks"))
        #expect(text.contains("30s ago"))
        #expect(screen.update(.left) == .stay)
        #expect(screen.update(.enter) == .finish(.proceed))
    }

    @Test func denyFromAnywhereAndCtrlCLeaves() {
        var screen = ApprovalConfirmScreen(pending: ScreenFixtures.pending(), now: 0)
        _ = screen.update(.left)
        #expect(screen.update(.character("d")) == .finish(.deny))
        #expect(screen.update(.escape) == .finish(.deny))
        #expect(screen.update(.interrupt) == .quit)
    }

    @Test func hostileTextFromTheClientOrTheNetworkIsDefused() {
        let screen = ApprovalConfirmScreen(pending: ScreenFixtures.pending(clientName: "Bank\u{1B}]0;x\u{7}\u{202E}"), now: 0)
        let all = screen.view(size: ScreenFixtures.size, theme: .builtIn).cells.map(\.text).joined()
        for bad in ["\u{1B}", "\u{7}", "\u{202E}"] { #expect(!all.contains(bad)) }
    }

    /// Every move key switches between Continue and Deny, and the focused button is marked
    /// (so it shows on a monochrome terminal too).
    @Test(arguments: [Key.tab, .backTab, .left, .right, .up, .down])
    func everyMoveKeySwitchesTheFocusedButton(_ key: Key) {
        var screen = ApprovalConfirmScreen(pending: ScreenFixtures.pending(), now: 0)
        var text = ScreenFixtures.text(screen.view(size: ScreenFixtures.size, theme: .builtIn))
        #expect(text.contains("[ Continue ]") && text.contains("▶ Deny ◀"))
        #expect(screen.update(key) == .stay)
        text = ScreenFixtures.text(screen.view(size: ScreenFixtures.size, theme: .builtIn))
        #expect(text.contains("▶ Continue ◀") && text.contains("[ Deny ]"))
        _ = screen.update(key)
        #expect(screen.update(.enter) == .finish(.deny), "a second move comes back to Deny")
    }

    @Test func spaceConfirmsTheFocusedButtonLikeEnter() {
        var screen = ApprovalConfirmScreen(pending: ScreenFixtures.pending(), now: 0)
        #expect(screen.update(.character(" ")) == .finish(.deny))
        _ = screen.update(.right)
        #expect(screen.update(.character(" ")) == .finish(.proceed))
    }

    @Test func capitalDDeniesAndOtherKeysDoNothing() {
        var screen = ApprovalConfirmScreen(pending: ScreenFixtures.pending(), now: 0)
        _ = screen.update(.right)
        for key: Key in [.character("a"), .character("y"), .character("c"), .backspace, .delete, .home, .end, .resize] {
            #expect(screen.update(key) == .stay)
        }
        #expect(screen.update(.enter) == .finish(.proceed), "the focus did not move")
        #expect(screen.update(.character("D")) == .finish(.deny))
    }

    @Test func aTooSmallTerminalSaysHowBigItMustBe() {
        var screen = ApprovalConfirmScreen(pending: ScreenFixtures.pending(), now: 0)
        let text = ScreenFixtures.text(screen.view(size: Size(columns: 40, rows: 10), theme: .builtIn))
        #expect(text.contains("Terminal too small") && text.contains("44×14"))
        #expect(!text.contains("BDWP-HQPK"))
        #expect(screen.update(.enter) == .finish(.deny))
    }
}
