import Foundation
import Testing
@testable import TermAuthCore
import TermAuthTestSupport

/// Implicit and password grants (off unless registered), introspection and revocation.
@Suite struct OptInGrantTests {
    @Test(arguments: TestStore.all) func passwordGrantOnlyWhenEnabledAndThroughTheLockout(_ store: TestStore) async throws {
        let f = try await Fixture(store)
        let (_, appSecret) = try await f.seeded()
        let form = ["grant_type": "password", "username": "alice", "password": Fixture.password, "scope": "profile"]
        await #expect(throws: TermAuthError.grantNotAllowed(.password)) { try await f.exchange(form, secret: appSecret) }
        let (_, secret) = try await f.termAuth.admin.addClient(.init(id: "legacy", name: "Legacy", redirectURIs: [], grantTypes: [.password]))
        let tokens = try await f.exchange(form, id: "legacy", secret: secret)
        #expect(tokens.scope == ScopeSet(["profile"]) && tokens.refreshToken == nil)
        var wrong = form
        wrong["password"] = "nope"
        for _ in 0..<5 {
            await #expect(throws: TermAuthError.invalidCredentials) { try await f.exchange(wrong, id: "legacy", secret: secret) }
        }
        await #expect(throws: TermAuthError.invalidCredentials) { try await f.exchange(form, id: "legacy", secret: secret) }
    }

    @Test(arguments: TestStore.all) func implicitDeliversTheTokenInTheFragmentWithoutRefresh(_ store: TestStore) async throws {
        let f = try await Fixture(store)
        _ = try await f.seeded()
        _ = try await f.termAuth.admin.addClient(.init(id: "spa", name: "SPA", isPublic: true, redirectURIs: ["https://spa.example/cb"], grantTypes: [.implicit]))
        let flow = f.termAuth.flow
        let query = [("response_type", "token"), ("client_id", "spa"), ("redirect_uri", "https://spa.example/cb"), ("scope", "profile"), ("state", "st")]
        let parked = try await flow.park(try await flow.validator.validate(query), origin: "test")
        let pending = try await flow.pending(approvalCode: parked.approvalCode, source: "test")
        try await flow.approve(pending, user: try await flow.signIn(username: "alice", password: Fixture.password, for: pending), scopes: nil, remember: false)
        guard case .redirect(let location) = try await flow.deliver(handle: parked.handle) else { Issue.record("not delivered"); return }
        #expect(location.hasPrefix("https://spa.example/cb#access_token="))
        let fragment = Dictionary(uniqueKeysWithValues: location.split(separator: "#")[1].split(separator: "&").map {
            let kv = $0.split(separator: "=", maxSplits: 1)
            return (String(kv[0]), String(kv[1]).removingPercentEncoding!)
        })
        #expect(fragment["token_type"] == "Bearer" && fragment["state"] == "st" && fragment["scope"] == "profile")
        #expect(fragment["refresh_token"] == nil)
        _ = try await f.termAuth.resources.authorize(accessToken: fragment["access_token"]!, requiredScope: "profile")
    }

    @Test(arguments: TestStore.all) func introspectionAndRevocationRoundTrip(_ store: TestStore) async throws {
        let f = try await Fixture(store)
        let (_, secret) = try await f.seeded()
        let tokens = try await f.redeem(try await f.issueCode(), secret: secret)
        let active = try await f.termAuth.introspection.introspect(tokens.accessToken)
        #expect(active.active && active.username == "alice" && active.clientID == "app" && active.tokenType == "Bearer")
        #expect(active.scope == "email profile" && active.expiresAt == f.clock.now() + 3600)
        #expect(try await f.termAuth.introspection.introspect("unknown") == .inactive)

        let (other, _) = try await f.termAuth.admin.addClient(.init(id: "other", name: "Other", redirectURIs: ["https://o.example/cb"]))
        await #expect(throws: TermAuthError.tokenOfAnotherClient) { try await f.termAuth.revocation.revoke(tokens.accessToken, by: other) }
        #expect(try await f.termAuth.revocation.revoke("unknown", by: other) == 0)

        // Revoking the refresh token takes the access token issued with it.
        let app = try #require(try await f.termAuth.store.client(id: "app"))
        #expect(try await f.termAuth.revocation.revoke(tokens.refreshToken!, by: app) == 2)
        #expect(try await f.termAuth.introspection.introspect(tokens.accessToken) == .inactive)
        #expect(try await f.termAuth.introspection.introspect(tokens.refreshToken!) == .inactive)
        let audit = try await f.termAuth.store.recentAudit(limit: 50)
        #expect(audit.contains { $0.kind == .tokenRevoked })
        #expect(audit.contains { $0.kind == .tokenIssued })
    }

    /// A public client's id is no credential: registering it for the password grant is refused,
    /// and one registered so before this rule is refused at the token endpoint.
    @Test(arguments: TestStore.all) func passwordGrantNeverForPublicClients(_ store: TestStore) async throws {
        let f = try await Fixture(store)
        _ = try await f.seeded()
        await #expect(throws: TermAuthError.self) {
            _ = try await f.termAuth.admin.addClient(.init(id: "cli", name: "CLI", isPublic: true, redirectURIs: [], grantTypes: [.password]))
        }
        try await f.termAuth.store.insertClient(Client(id: "old", name: "Old", secret: nil, redirectURIs: [], grantTypes: [.password]), audit: nil)
        let form = ["grant_type": "password", "username": "alice", "password": Fixture.password]
        await #expect(throws: TermAuthError.grantNotAllowed(.password)) { try await f.exchange(form, id: "old", secret: nil) }
    }

    @Test(arguments: TestStore.all) func onlyClientsRegisteredForItMayIntrospect(_ store: TestStore) async throws {
        let f = try await Fixture(store)
        let (app, secret) = try await f.seeded()
        let tokens = try await f.redeem(try await f.issueCode(), secret: secret)
        await #expect(throws: TermAuthError.introspectionNotAllowed) { try await f.termAuth.introspection.introspect(tokens.accessToken, by: app) }
        let (rs, _) = try await f.termAuth.admin.addClient(.init(id: "rs", name: "API", redirectURIs: [], grantTypes: [.clientCredentials], mayIntrospect: true))
        #expect(try await f.termAuth.introspection.introspect(tokens.accessToken, by: rs).active)
        #expect(try await f.termAuth.store.client(id: "rs")?.mayIntrospect == true)
    }

    /// What a consent gave ends with it: revoking it revokes that user's tokens for that client.
    @Test(arguments: TestStore.all) func revokingAConsentRevokesItsTokens(_ store: TestStore) async throws {
        let f = try await Fixture(store)
        let (_, secret) = try await f.seeded()
        let tokens = try await f.redeem(try await f.issueCode(remember: true), secret: secret)
        let other = try await f.termAuth.admin.issueToken(clientID: "app", username: nil, scopes: ScopeSet(["profile"]), ttl: nil)
        try await f.termAuth.admin.revokeConsent(username: "alice", clientID: "app")
        #expect(try await f.termAuth.introspection.introspect(tokens.accessToken) == .inactive)
        await #expect(throws: TermAuthError.invalidRefreshToken) {
            try await f.exchange(["grant_type": "refresh_token", "refresh_token": tokens.refreshToken!], secret: secret)
        }
        // A token that was not the user's stays.
        #expect(try await f.termAuth.introspection.introspect(other.accessToken).active)
        #expect(try await f.termAuth.store.recentAudit(limit: 5).last?.detail == "2 tokens revoked with it")
    }
}
