import TermAuthCore

/// `termauth console`: parked requests, refreshed every second while the server runs in
/// another process; pick one to sign in and decide; consents with revoke; the audit tail.
public struct OperatorConsole {
    let termAuth: TermAuth
    let runner: ScreenRunner
    /// Where decisions are recorded as made: this terminal, or an SSH client's address.
    let origin: String

    public init(termAuth: TermAuth, runner: ScreenRunner, origin: String = LocalOrigin.terminal) {
        self.termAuth = termAuth
        self.runner = runner
        self.origin = origin
    }

    /// Until the operator quits.
    public func run() async throws {
        var screen = ConsoleScreen()
        var refreshed: ContinuousClock.Instant?
        while true {
            // Once a second, not after every key: with thousands of parked requests a
            // refresh takes a while, and keys must be answered at once.
            if refreshed.map({ ContinuousClock.now - $0 >= .seconds(1) }) ?? true {
                try await refresh(&screen)
                refreshed = ContinuousClock.now
            }
            guard let effect = runner.step(&screen, timeoutMilliseconds: 1000) else { continue }
            switch effect {
            case .stay: continue
            case .quit, .finish(.quit): return
            case .finish(.handle(let pending)):
                screen.status = try await handle(pending)
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

    private func handle(_ pending: PendingAuthorization) async throws -> String {
        do {
            // Re-read: another console may have decided it meanwhile.
            let fresh = try await termAuth.flow.pending(requestID: pending.request.id)
            switch try await ApprovalSession(flow: termAuth.flow, runner: runner, origin: origin).run(fresh, confirm: true) {
            case .approved(let scopes): return "Approved \(fresh.approvalCode) for \(fresh.client.id): \(scopes.string)"
            case .denied: return "Denied \(fresh.approvalCode) for \(fresh.client.id)."
            case .quit: return "Left \(fresh.approvalCode) undecided."
            }
        } catch let error as TermAuthError {
            return "\(pending.approvalCode): \(error.description)"
        }
    }

    private func refresh(_ screen: inout ConsoleScreen) async throws {
        let store = termAuth.store
        let names = Dictionary(try await store.users().map { ($0.id, $0.username) }, uniquingKeysWith: { a, _ in a })
        let consents = try await store.consents(userID: nil).map {
            ConsoleScreen.ConsentRow(username: names[$0.userID] ?? $0.userID, clientID: $0.clientID, scope: $0.scopes.string, since: $0.grantedAt)
        }
        screen.refresh(
            requests: try await termAuth.flow.pendingRequests(), consents: consents,
            audit: try await store.recentAudit(limit: 200), now: termAuth.clock.now())
    }
}
