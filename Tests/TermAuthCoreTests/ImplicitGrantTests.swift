import Foundation
import Testing
@testable import TermAuthCore
import TermAuthTestSupport

/// RFC 6749 §4.2 (response_type=token), off unless the client was registered with it: the access
/// token comes back in the redirect's fragment, never with a refresh token.
@Suite struct ImplicitGrantTests {
    @Test(arguments: TestStore.all) func implicitDeliversTheTokenInTheFragmentWithoutRefresh(_ store: TestStore) async throws {
        let (f, parked) = try await Self.parkedImplicitRequest(store)
        let flow = f.termAuth.flow
        let pending = try await flow.pending(approvalCode: parked.approvalCode, source: "test")
        try await flow.approve(
            pending, user: try await flow.signIn(username: "alice", password: Fixture.password, for: pending), scopes: nil, remember: false)
        guard case .redirect(let location) = try await flow.deliver(handle: parked.handle) else { Issue.record("not delivered"); return }
        #expect(location.hasPrefix("https://spa.example/cb#access_token="))
        let fragment = Dictionary(
            uniqueKeysWithValues: location.split(separator: "#")[1].split(separator: "&").map {
                let kv = $0.split(separator: "=", maxSplits: 1)
                return (String(kv[0]), String(kv[1]).removingPercentEncoding!)
            })
        #expect(fragment["token_type"] == "Bearer" && fragment["state"] == "st" && fragment["scope"] == "profile")
        #expect(fragment["refresh_token"] == nil)
        _ = try await f.termAuth.resources.authorize(accessToken: fragment["access_token"]!, requiredScope: "profile")
    }

    /// RFC 6749 §4.2.2.1: a denial is answered in the fragment too, with state, and issues nothing.
    @Test(arguments: TestStore.all) func aDenialIsAnsweredInTheFragment(_ store: TestStore) async throws {
        let (f, parked) = try await Self.parkedImplicitRequest(store)
        let flow = f.termAuth.flow
        try await flow.deny(try await flow.pending(approvalCode: parked.approvalCode, source: "test"), user: nil)
        guard case .redirect(let location) = try await flow.deliver(handle: parked.handle) else { Issue.record("not delivered"); return }
        #expect(location.hasPrefix("https://spa.example/cb#error=access_denied&"))
        #expect(location.contains("&state=st") && !location.contains("?") && !location.contains("access_token"))
        #expect(try await f.termAuth.store.recentAudit(limit: 50).allSatisfy { $0.kind != .tokenIssued })
    }

    /// A public client registered for the implicit grant, and its parked request for `profile`.
    private static func parkedImplicitRequest(_ store: TestStore) async throws -> (Fixture, ParkedRequest) {
        let f = try await Fixture(store)
        _ = try await f.seeded()
        _ = try await f.termAuth.admin.addClient(
            .init(id: "spa", name: "SPA", isPublic: true, redirectURIs: ["https://spa.example/cb"], grantTypes: [.implicit]))
        let query = [
            ("response_type", "token"), ("client_id", "spa"), ("redirect_uri", "https://spa.example/cb"), ("scope", "profile"), ("state", "st"),
        ]
        let flow = f.termAuth.flow
        return (f, try await flow.park(try await flow.validator.validate(query), origin: "test"))
    }
}
