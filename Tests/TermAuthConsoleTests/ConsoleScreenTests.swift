import Testing
@testable import TermAuthCore
@testable import TermAuthConsole

@Suite struct ConsoleScreenTests {
    static func requests(_ n: Int) -> [PendingAuthorization] {
        let base = ScreenFixtures.pending()
        return (0..<n).map { i in
            var request = base.request
            request.id = "r\(i)"
            request.origin = "192.0.2.\(i % 250)"
            return PendingAuthorization(
                request: request, approvalCode: "CODE-\(String(i, radix: 36).uppercased())", client: base.client, scopes: base.scopes)
        }
    }

    /// Ten thousand parked requests (the default bound): the list scrolls with the selection
    /// and Enter hands over the one selected.
    @Test func tenThousandRequestsScrollAndTheSelectedOneIsHandedOver() {
        var screen = ConsoleScreen()
        let all = Self.requests(10_000)
        screen.refresh(requests: all, consents: [], audit: [], now: 60)
        var text = ScreenFixtures.text(screen.view(size: ScreenFixtures.size, theme: .builtIn))
        #expect(text.contains("Requests (10000)"))
        #expect(text.contains("›CODE-0 "))
        for _ in 0..<9_999 { _ = screen.update(.down) }
        text = ScreenFixtures.text(screen.view(size: ScreenFixtures.size, theme: .builtIn))
        #expect(text.contains("›" + all[9_999].approvalCode))
        #expect(!text.contains("CODE-0 "))
        #expect(screen.update(.enter) == .finish(.handle(all[9_999])))
    }

    @Test func auditShowsTheNewestFirstAndConsentsCanBeRevoked() {
        var screen = ConsoleScreen()
        let events = (0..<3).map { AuditEvent(at: Int64($0), kind: .tokenIssued, detail: "event \($0)") }
        let consent = ConsoleScreen.ConsentRow(username: "alice", clientID: "app", scope: "profile", since: 0)
        screen.refresh(requests: [], consents: [consent], audit: events, now: 10)
        _ = screen.update(.character("3"))
        let lines = screen.view(size: ScreenFixtures.size, theme: .builtIn).lines
        let order = ["event 2", "event 1", "event 0"].compactMap { needle in lines.firstIndex { $0.contains(needle) } }
        #expect(order.count == 3 && order == order.sorted())
        _ = screen.update(.character("2"))
        #expect(screen.update(.character("r")) == .finish(.revoke(consent)))
    }

    @Test func anEmptyListSaysSoAndTinyTerminalsDoNotBreakIt() {
        var screen = ConsoleScreen()
        screen.refresh(requests: Self.requests(50), consents: [], audit: [], now: 0)
        _ = screen.view(size: Size(columns: 20, rows: 5), theme: .builtIn)
        screen.refresh(requests: [], consents: [], audit: [], now: 0)
        #expect(ScreenFixtures.text(screen.view(size: ScreenFixtures.size, theme: .builtIn)).contains("No requests waiting"))
    }

    /// Tab / → and Shift-Tab / ← walk the three views and wrap; 1, 2, 3 jump. The focused tab and
    /// the hint line follow.
    @Test func tabsWalkTheViewsBothWaysAndWrap() {
        var screen = ConsoleScreen()
        screen.refresh(requests: Self.requests(3), consents: [], audit: [], now: 0)
        var walked: [ConsoleScreen.View] = []
        for key: Key in [.tab, .right, .tab, .backTab, .left, .backTab, .character("3"), .character("1"), .character("2")] {
            #expect(screen.update(key) == .stay)
            walked.append(screen.view)
        }
        #expect(walked == [.consents, .audit, .requests, .audit, .consents, .requests, .audit, .requests, .consents])
        let hints: [ConsoleScreen.View: String] = [
            .requests: "│ ↑↓ select · Enter sign in and decide · Tab next view · q quit ",
            .consents: "│ ↑↓ select · r revoke · Tab next view · q quit ",
            .audit: "│ Tab next view · q quit ",
        ]
        for (key, expected) in [(Key.character("1"), ConsoleScreen.View.requests), (.character("2"), .consents), (.character("3"), .audit)] {
            _ = screen.update(key)
            let canvas = screen.view(size: ScreenFixtures.size, theme: .builtIn)
            let lines = canvas.lines
            #expect(lines.contains { $0.contains(hints[expected]!) })
            let label = [" 1 Requests (3) ", " 2 Consents ", " 3 Audit "][expected.rawValue]
            let row = lines.firstIndex { $0.contains(label) }!
            let column = lines[row].distance(from: lines[row].startIndex, to: lines[row].range(of: label)!.lowerBound)
            #expect(canvas[row, column + 1].role == .focusedButton, "the \(expected) tab is focused")
        }
    }

    /// The selection never leaves the list: not above the first row, not below the last, not
    /// into an empty list; a new view starts at the top, and a refresh that shortens the list
    /// pulls the selection back onto it.
    @Test func theSelectionStaysWithinTheList() {
        var screen = ConsoleScreen()
        let all = Self.requests(5)
        screen.refresh(requests: all, consents: [], audit: [], now: 0)
        _ = screen.update(.up)
        #expect(screen.selection == 0)
        for _ in 0..<10 { _ = screen.update(.down) }
        #expect(screen.selection == 4)
        screen.refresh(requests: Array(all.prefix(2)), consents: [], audit: [], now: 0)
        #expect(screen.selection == 1)
        #expect(ScreenFixtures.text(screen.view(size: ScreenFixtures.size, theme: .builtIn)).contains("›" + all[1].approvalCode))
        #expect(screen.update(.enter) == .finish(.handle(all[1])))
        _ = screen.update(.tab)
        _ = screen.update(.backTab)
        #expect(screen.selection == 0, "switching views starts at the top")
        screen.refresh(requests: [], consents: [], audit: [], now: 0)
        _ = screen.update(.down)
        #expect(screen.selection == 0)
        #expect(screen.update(.enter) == .stay, "Enter on an empty list hands over nothing")
    }

    /// Enter hands over a request only in the requests view; r and Delete revoke only in the
    /// consents view; the audit view only shows.
    @Test func eachViewAnswersOnlyItsOwnKeys() {
        var screen = ConsoleScreen()
        let consent = ConsoleScreen.ConsentRow(username: "alice", clientID: "app", scope: "profile", since: 0)
        let events = [AuditEvent(at: 0, kind: .tokenIssued, detail: "event")]
        screen.refresh(requests: Self.requests(2), consents: [consent], audit: events, now: 0)
        #expect(screen.update(.character("r")) == .stay)
        #expect(screen.update(.delete) == .stay)
        _ = screen.update(.character("2"))
        #expect(screen.update(.enter) == .stay)
        #expect(screen.update(.delete) == .finish(.revoke(consent)))
        _ = screen.update(.character("3"))
        for key: Key in [.enter, .character("r"), .delete, .down, .character(" ")] { #expect(screen.update(key) == .stay) }
        let text = ScreenFixtures.text(screen.view(size: ScreenFixtures.size, theme: .builtIn))
        #expect(!text.contains("›"), "the audit view has no selection")
    }

    @Test func escapeAndQLeaveAndCtrlCQuits() {
        var screen = ConsoleScreen()
        #expect(screen.update(.escape) == .finish(.quit))
        #expect(screen.update(.character("q")) == .finish(.quit))
        #expect(screen.update(.interrupt) == .quit)
    }

    /// Every cell of every view is untrusted text from clients, users or the network.
    @Test func hostileTextInAnyViewIsDefused() {
        let evil = "Bank\u{1B}]0;x\u{7}\u{202E}\u{9B}2J"
        let base = ScreenFixtures.pending(clientName: evil)
        var request = base.request
        request.origin = evil
        var screen = ConsoleScreen()
        screen.refresh(
            requests: [PendingAuthorization(request: request, approvalCode: "BDWP-HQPK", client: base.client, scopes: base.scopes)],
            consents: [ConsoleScreen.ConsentRow(username: evil, clientID: evil, scope: evil, since: 0)],
            audit: [AuditEvent(at: 0, kind: .loginFailed, clientID: evil, username: evil, detail: evil, origin: evil)], now: 0)
        screen.status = evil
        for key in ["1", "2", "3"] {
            _ = screen.update(.character(Character(key)))
            let scalars = screen.view(size: ScreenFixtures.size, theme: .builtIn).cells.flatMap { $0.text.unicodeScalars }
            for bad: Unicode.Scalar in ["\u{1B}", "\u{7}", "\u{202E}", "\u{9B}"] { #expect(!scalars.contains(bad)) }
        }
    }
}
