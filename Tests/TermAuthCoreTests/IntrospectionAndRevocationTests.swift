import Foundation
import Testing
@testable import TermAuthCore
import TermAuthTestSupport

/// Introspection (RFC 7662) and revocation (RFC 7009), of tokens and of remembered consents.
@Suite struct IntrospectionAndRevocationTests {
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

    @Test(arguments: TestStore.all) func onlyClientsRegisteredForItMayIntrospect(_ store: TestStore) async throws {
        let f = try await Fixture(store)
        let (app, secret) = try await f.seeded()
        let tokens = try await f.redeem(try await f.issueCode(), secret: secret)
        await #expect(throws: TermAuthError.introspectionNotAllowed) { try await f.termAuth.introspection.introspect(tokens.accessToken, by: app) }
        let (rs, _) = try await f.termAuth.admin.addClient(
            .init(id: "rs", name: "API", redirectURIs: [], grantTypes: [.clientCredentials], mayIntrospect: true))
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
