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
            return PendingAuthorization(request: request, approvalCode: "CODE-\(String(i, radix: 36).uppercased())", client: base.client, scopes: base.scopes)
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
}
