import ArgumentParser
import Foundation
import TermAuthConsole
import TermAuthCore

/// The operator console: parked requests, refreshed every second while the server runs in
/// another process; pick one to sign in and decide; consents with revoke; the audit tail.
struct ConsoleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "console", abstract: "Operator console: parked requests, consents, audit log.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var themeOptions: ThemeOptions

    func run() async throws {
        let theme = try themeOptions.load()
        let termAuth = try await global.open()
        try await TerminalUI.with(theme: theme) { terminal in
            let runner = ScreenRunner(terminal: terminal, theme: theme)
            var screen = ConsoleScreen()
            var refreshed: ContinuousClock.Instant?
            while true {
                // Once a second, not after every key: with thousands of parked requests a
                // refresh takes a while, and keys must be answered at once.
                if refreshed.map({ ContinuousClock.now - $0 >= .seconds(1) }) ?? true {
                    try await refresh(&screen, termAuth)
                    refreshed = ContinuousClock.now
                }
                guard let effect = runner.step(&screen, timeoutMilliseconds: 1000) else { continue }
                switch effect {
                case .stay: continue
                case .quit, .finish(.quit): return
                case .finish(.handle(let pending)):
                    screen.status = try await handle(pending, termAuth: termAuth, runner: runner)
                    refreshed = nil
                case .finish(.revoke(let row)):
                    do {
                        try await termAuth.admin.revokeConsent(username: row.username, clientID: row.clientID)
                        screen.status = "Revoked \(row.username)'s consent for \(row.clientID)."
                    } catch let error as TermAuthError {
                        screen.status = error.description
                    }
                    refreshed = nil
                }
            }
        }
    }

    private func handle(_ pending: PendingAuthorization, termAuth: TermAuth, runner: ScreenRunner) async throws -> String {
        do {
            // Re-read: another console may have decided it meanwhile.
            let fresh = try await termAuth.flow.pending(requestID: pending.request.id)
            switch try await ApprovalSession(flow: termAuth.flow, runner: runner).run(fresh, confirm: true) {
            case .approved(let scopes): return "Approved \(fresh.approvalCode) for \(fresh.client.id): \(scopes.string)"
            case .denied: return "Denied \(fresh.approvalCode) for \(fresh.client.id)."
            case .quit: return "Left \(fresh.approvalCode) undecided."
            }
        } catch let error as TermAuthError {
            return "\(pending.approvalCode): \(error.description)"
        }
    }

    private func refresh(_ screen: inout ConsoleScreen, _ termAuth: TermAuth) async throws {
        let store = termAuth.store
        let names = Dictionary(try await store.users().map { ($0.id, $0.username) }, uniquingKeysWith: { a, _ in a })
        let consents = try await store.consents(userID: nil).map {
            ConsoleScreen.ConsentRow(username: names[$0.userID] ?? $0.userID, clientID: $0.clientID, scope: $0.scopes.string, since: $0.grantedAt)
        }
        screen.refresh(requests: try await termAuth.flow.pendingRequests(), consents: consents,
                       audit: try await store.recentAudit(limit: 200), now: termAuth.clock.now())
    }
}
