import Testing
import TermAuthCore
@testable import TermAuthConsole

/// The operator console's loop on the in-memory terminal: a picked request is confirmed and
/// decided through the same session as everywhere else, and the outcome shows in its status line.
@Suite struct OperatorConsoleTests {
    @Test func aPickedRequestIsDecidedAndTheConsoleSaysSo() async throws {
        let world = try await SessionTests.World()
        let pending = try await world.park()
        let terminal = MemoryTerminal()
        // Enter picks the request; Enter on the confirmation denies (focus starts on Deny); q leaves.
        terminal.press(.enter, .enter, .character("q"))
        try await OperatorConsole(termAuth: world.termAuth, runner: ScreenRunner(terminal: terminal, theme: .builtIn)).run()
        #expect(terminal.frames.contains { $0.lines.joined().contains(pending.approvalCode) })
        #expect(terminal.screen.contains("Denied \(pending.approvalCode) for app."))
        #expect(try await world.termAuth.flow.pendingRequests().isEmpty)
    }
}
