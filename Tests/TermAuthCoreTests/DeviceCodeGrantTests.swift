import Testing
@testable import TermAuthCore
import TermAuthTestSupport

/// RFC 8628 §3.4–3.5 with a clock moved by hand: pending, slow_down, approval, single use,
/// denial and expiry.
@Suite struct DeviceCodeGrantTests {
    func deviceClient(_ f: Fixture) async throws -> Client {
        try await f.termAuth.admin.addClient(
            .init(
                id: "tv", name: "Living-room TV", isPublic: true, redirectURIs: [],
                grantTypes: [.deviceCode, .refreshToken])
        ).client
    }

    func poll(_ f: Fixture, _ deviceCode: String) async throws -> TokenResponse {
        try await f.termAuth.tokens.exchange(
            OAuthParameters(["grant_type": GrantType.deviceCode.rawValue, "device_code": deviceCode, "client_id": "tv"]),
            credentials: .body(id: "tv", secret: nil))
    }

    @Test(arguments: TestStore.all) func pendingSlowDownApproveAndSingleUse(_ store: TestStore) async throws {
        let f = try await Fixture(store)
        _ = try await f.seeded()
        let flow = f.termAuth.flow
        let parked = try await flow.parkDevice(client: try await deviceClient(f), scope: "profile", origin: "10.1.2.3")
        #expect(parked.request.pollInterval == 5)
        #expect(ApprovalCode.normalize(parked.approvalCode) == parked.approvalCode)

        await #expect(throws: TermAuthError.authorizationPending) { try await poll(f, parked.handle) }
        f.clock.advance(2)
        await #expect(throws: TermAuthError.slowDown(interval: 10)) { try await poll(f, parked.handle) }
        f.clock.advance(6)
        await #expect(throws: TermAuthError.slowDown(interval: 15)) { try await poll(f, parked.handle) }
        f.clock.advance(15)
        await #expect(throws: TermAuthError.authorizationPending) { try await poll(f, parked.handle) }

        let pending = try await flow.pending(approvalCode: parked.approvalCode.lowercased(), source: "test")
        #expect(pending.request.origin == "10.1.2.3")
        let alice = try await flow.signIn(username: "alice", password: Fixture.password, for: pending)
        try await flow.approve(pending, user: alice, scopes: nil, remember: false)

        let tokens = try await poll(f, parked.handle)
        #expect(tokens.scope == ScopeSet(["profile"]))
        #expect(tokens.refreshToken != nil)
        _ = try await f.termAuth.resources.authorize(accessToken: tokens.accessToken, requiredScope: "profile")
        await #expect(throws: TermAuthError.invalidDeviceCode) { try await poll(f, parked.handle) }
    }

    @Test(arguments: TestStore.all) func deniedAndExpired(_ store: TestStore) async throws {
        let f = try await Fixture(store)
        _ = try await f.seeded()
        let flow = f.termAuth.flow
        let client = try await deviceClient(f)
        let denied = try await flow.parkDevice(client: client, scope: nil, origin: "x")
        try await flow.deny(try await flow.pending(approvalCode: denied.approvalCode, source: "test"), user: nil)
        await #expect(throws: TermAuthError.accessDenied) { try await poll(f, denied.handle) }
        await #expect(throws: TermAuthError.invalidDeviceCode) { try await poll(f, denied.handle) }

        let late = try await flow.parkDevice(client: client, scope: nil, origin: "x")
        f.clock.advance(601)
        await #expect(throws: TermAuthError.deviceCodeExpired) { try await poll(f, late.handle) }
        await #expect(throws: TermAuthError.invalidDeviceCode) { try await poll(f, "not-a-device-code") }
    }

    @Test(arguments: TestStore.all) func onlyClientsWithTheDeviceGrant(_ store: TestStore) async throws {
        let f = try await Fixture(store)
        let (client, _) = try await f.seeded()
        await #expect(throws: TermAuthError.grantNotAllowed(.deviceCode)) {
            try await f.termAuth.flow.parkDevice(client: client, scope: nil, origin: "x")
        }
    }

    /// A device code answers only the client it was issued to, even once approved; the answer
    /// still waits for its own device.
    @Test(arguments: TestStore.all) func aDeviceCodeIsBoundToItsClient(_ store: TestStore) async throws {
        let f = try await Fixture(store)
        _ = try await f.seeded()
        let flow = f.termAuth.flow
        let parked = try await flow.parkDevice(client: try await deviceClient(f), scope: "profile", origin: "x")
        _ = try await f.termAuth.admin.addClient(.init(id: "tv2", name: "Kitchen TV", isPublic: true, redirectURIs: [], grantTypes: [.deviceCode]))
        let pending = try await flow.pending(approvalCode: parked.approvalCode, source: "test")
        try await flow.approve(
            pending, user: try await flow.signIn(username: "alice", password: Fixture.password, for: pending), scopes: nil, remember: false)
        await #expect(throws: TermAuthError.invalidDeviceCode) {
            try await f.termAuth.tokens.exchange(
                OAuthParameters(["grant_type": GrantType.deviceCode.rawValue, "device_code": parked.handle, "client_id": "tv2"]),
                credentials: .body(id: "tv2", secret: nil))
        }
        #expect(try await poll(f, parked.handle).scope == ScopeSet(["profile"]))
    }
}
