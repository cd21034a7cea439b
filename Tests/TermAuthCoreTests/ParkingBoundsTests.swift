import Testing
@testable import TermAuthCore
import TermAuthTestSupport

/// Unauthenticated /authorize and /device_authorization callers cannot make the server hold
/// more than the bounds: past one, nothing is stored and the caller is told to come back.
@Suite struct ParkingBoundsTests {
    @Test(arguments: TestStore.all) func requestsPastEachBoundAreRefusedAndNotStored(_ store: TestStore) async throws {
        var settings = Settings()
        settings.limits.parkedPerClient = 3
        settings.limits.parkedPerSource = 2
        settings.limits.parkedTotal = 5
        let f = try await Fixture(store, settings: settings)
        _ = try await f.seeded()
        _ = try await f.termAuth.admin.addClient(.init(id: "app2", name: "App 2", redirectURIs: ["https://app.example/cb"]))
        let flow = f.termAuth.flow
        func park(_ client: String, from origin: String) async throws {
            var pairs = f.authorizeQuery()
            pairs.removeAll { $0.0 == "client_id" }
            pairs.append(("client_id", client))
            _ = try await flow.park(try await flow.validator.validate(pairs), origin: origin)
        }
        try await park("app", from: "192.0.2.1")
        try await park("app", from: "192.0.2.1")
        // Per source.
        await #expect(throws: TermAuthError.overloaded("requests waiting for approval from this address", retryAfter: 60)) {
            try await park("app", from: "192.0.2.1")
        }
        try await park("app", from: "192.0.2.2")
        // Per client: app has 3.
        await #expect(throws: TermAuthError.overloaded("requests waiting for approval for this client", retryAfter: 60)) {
            try await park("app", from: "192.0.2.3")
        }
        try await park("app2", from: "192.0.2.3")
        try await park("app2", from: "192.0.2.4")
        // In all: 5.
        await #expect(throws: TermAuthError.overloaded("requests waiting for approval", retryAfter: 60)) {
            try await park("app2", from: "192.0.2.5")
        }
        #expect(try await f.termAuth.store.pendingRequests(now: f.clock.now()).count == 5)

        // A decision frees a place.
        let first = try #require(try await flow.pendingRequests().first)
        try await flow.deny(first, user: nil)
        try await park("app2", from: "192.0.2.5")
        // So does expiry.
        f.clock.advance(settings.lifetimes.request + 1)
        try await park("app", from: "192.0.2.1")
    }

    @Test(arguments: TestStore.all) func longStateAndNonceAreRefused(_ store: TestStore) async throws {
        let f = try await Fixture(store)
        _ = try await f.seeded()
        let validator = f.termAuth.flow.validator
        _ = try await validator.validate(f.authorizeQuery([("state", String(repeating: "s", count: 1024))]))
        for key in ["state", "nonce"] {
            await #expect(throws: AuthorizeRejection.self) {
                _ = try await validator.validate(f.authorizeQuery([(key, String(repeating: "s", count: 1025))]))
            }
        }
    }

    /// One host holds a whole IPv6 /64: its addresses share one allowance.
    @Test(arguments: TestStore.all) func ipv6SourcesShareTheirSlash64(_ store: TestStore) async throws {
        var settings = Settings()
        settings.limits.parkedPerSource = 2
        let f = try await Fixture(store, settings: settings)
        _ = try await f.seeded()
        let flow = f.termAuth.flow
        let validated = try await flow.validator.validate(f.authorizeQuery())
        _ = try await flow.park(validated, origin: "2001:db8:1:2::1")
        _ = try await flow.park(validated, origin: "2001:db8:1:2::ffff")
        await #expect(throws: TermAuthError.self) { _ = try await flow.park(validated, origin: "2001:db8:1:2:abcd::9") }
        _ = try await flow.park(validated, origin: "2001:db8:1:3::1")
    }
}
