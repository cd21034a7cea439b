import Testing
@testable import TermAuthCore
import TermAuthTestSupport

@Suite struct FlowTests {
    @Test(arguments: TestStore.all) func consentIsAskedTheFirstTimeAndSkippedOnceRemembered(_ store: TestStore) async throws {
        let f = try await Fixture(store)
        _ = try await f.seeded()
        let flow = f.termAuth.flow
        func pendingFor(_ scope: String) async throws -> PendingAuthorization {
            let parked = try await flow.park(try await flow.validator.validate(f.authorizeQuery(scope: scope)), origin: "test")
            return try await flow.pending(approvalCode: parked.approvalCode, source: "test")
        }
        let first = try await pendingFor("profile email")
        let alice = try await flow.signIn(username: "alice", password: Fixture.password, for: first)
        #expect(try await flow.consentNeeded(first, user: alice))
        try await flow.approve(first, user: alice, scopes: nil, remember: true)

        let again = try await pendingFor("profile")
        #expect(try await !flow.consentNeeded(again, user: alice))
        let wider = try await pendingFor("profile openid")
        #expect(try await flow.consentNeeded(wider, user: alice))
    }

    @Test(arguments: TestStore.all) func uncheckedScopesAreNotGrantedButRequiredOnesAre(_ store: TestStore) async throws {
        let f = try await Fixture(store)
        let (_, secret) = try await f.seeded()
        let flow = f.termAuth.flow
        let parked = try await flow.park(try await flow.validator.validate(f.authorizeQuery(scope: "openid profile email")), origin: "test")
        let pending = try await flow.pending(approvalCode: parked.approvalCode.lowercased().replacingOccurrences(of: "-", with: ""), source: "test")
        let alice = try await flow.signIn(username: "alice", password: Fixture.password, for: pending)
        let granted = try await flow.approve(pending, user: alice, scopes: ScopeSet(["email"]), remember: false)
        #expect(granted == ScopeSet(["email", "openid"]))
        guard case .redirect(let location) = try await flow.deliver(handle: parked.handle) else { Issue.record("not delivered"); return }
        let tokens = try await f.redeem(try #require(Fixture.query(location)["code"]), secret: secret)
        #expect(tokens.scope == ScopeSet(["email", "openid"]))
        await #expect(throws: TermAuthError.insufficientScope(required: "profile")) {
            try await f.termAuth.resources.authorize(accessToken: tokens.accessToken, requiredScope: "profile")
        }
    }

    @Test(arguments: TestStore.all) func aScopeThatWasNotRequestedCannotBeGranted(_ store: TestStore) async throws {
        let f = try await Fixture(store)
        _ = try await f.seeded()
        let flow = f.termAuth.flow
        let (_, pending, alice) = try await f.parkAndSignIn(scope: "profile")
        await #expect(throws: TermAuthError.invalidArgument("scope email was not requested")) {
            try await flow.approve(pending, user: alice, scopes: ScopeSet(["email"]), remember: false)
        }
    }

    @Test(arguments: TestStore.all) func denialReachesTheClientAsAccessDeniedWithState(_ store: TestStore) async throws {
        let f = try await Fixture(store)
        _ = try await f.seeded()
        let flow = f.termAuth.flow
        let parked = try await flow.park(try await flow.validator.validate(f.authorizeQuery()), origin: "test")
        let pending = try await flow.pending(approvalCode: parked.approvalCode, source: "test")
        #expect(try await flow.deliver(handle: parked.handle) == .waiting(expiresAt: parked.request.expiresAt))
        try await flow.deny(pending, user: nil)
        guard case .redirect(let location) = try await flow.deliver(handle: parked.handle) else { Issue.record("not delivered"); return }
        #expect(Fixture.query(location)["error"] == "access_denied")
        #expect(Fixture.query(location)["state"] == "s t&=ate")
        #expect(try await flow.deliver(handle: parked.handle) == .alreadyDelivered)
    }

    @Test(arguments: TestStore.all) func concurrentDecisionsProduceOneOutcome(_ store: TestStore) async throws {
        let f = try await Fixture(store)
        _ = try await f.seeded()
        let flow = f.termAuth.flow
        let (_, pending, alice) = try await f.parkAndSignIn()
        let successes = await withTaskGroup(of: Bool.self) { group in
            for i in 0..<10 {
                group.addTask {
                    do {
                        if i.isMultiple(of: 2) {
                            try await flow.approve(pending, user: alice, scopes: nil, remember: false)
                        } else {
                            try await flow.deny(pending, user: alice)
                        }
                        return true
                    } catch { return false }
                }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(successes == 1)
    }

    @Test(arguments: TestStore.all) func expiredRequestsCannotBeApprovedAndRedirectAsDenied(_ store: TestStore) async throws {
        let f = try await Fixture(store)
        _ = try await f.seeded()
        let flow = f.termAuth.flow
        let (parked, pending, alice) = try await f.parkAndSignIn()
        f.clock.advance(601)
        await #expect(throws: TermAuthError.requestExpired) { try await flow.approve(pending, user: alice, scopes: nil, remember: false) }
        guard case .redirect(let location) = try await flow.deliver(handle: parked.handle) else { Issue.record("not delivered"); return }
        #expect(Fixture.query(location)["error"] == "access_denied")
        #expect(try await flow.pendingRequests().isEmpty)
    }

    /// Reads the SQLite file's bytes, so it runs on SQLite only.
    @Test func approvalCodesAreListedButStoredOnlyAsHashes() async throws {
        let f = try await Fixture()
        let path = try #require((f.termAuth.engine as? SQLiteStore)?.path)
        _ = try await f.seeded()
        let flow = f.termAuth.flow
        let parked = try await flow.park(try await flow.validator.validate(f.authorizeQuery()), origin: "10.0.0.7")
        #expect(try await flow.pendingRequests().map(\.approvalCode) == [parked.approvalCode])
        let raw =
            try Data(contentsOf: URL(fileURLWithPath: path))
            + ((try? Data(contentsOf: URL(fileURLWithPath: path + "-wal"))) ?? Data())
        #expect(raw.range(of: Data(parked.approvalCode.utf8)) == nil)
        #expect(raw.range(of: Data(parked.handle.utf8)) == nil)
    }

    @Test func stateRoundTripsExactly() {
        let state = "a b+c%2F&d=é\u{1F600}"
        let url = RedirectBuilder(base: "https://app.example/cb?x=1", state: state).success(["code": "abc"])
        #expect(url.hasPrefix("https://app.example/cb?x=1&code=abc&state="))
        #expect(Fixture.query(url)["state"] == state)
    }
}

import Foundation
