import Testing
@testable import TermAuthCore
import TermAuthTestSupport

/// RFC 6749 §4.4: a confidential client acting for itself, with no user and no refresh token.
@Suite struct ClientCredentialsGrantTests {
    @Test(arguments: TestStore.all) func clientCredentialsIssuesNoRefreshToken(_ store: TestStore) async throws {
        let f = try await Fixture(store)
        let (_, secret) = try await f.seeded()
        let response = try await f.exchange(["grant_type": "client_credentials", "scope": "profile"], secret: secret)
        #expect(response.refreshToken == nil)
        #expect(response.scope == ScopeSet(["profile"]))
        let access = try await f.termAuth.resources.authorize(accessToken: response.accessToken, requiredScope: "profile")
        #expect(access.user == nil)
        #expect(access.token.clientID == "app")
    }

    @Test(arguments: TestStore.all) func grantsTheClientWasNotGivenAreUnauthorized(_ store: TestStore) async throws {
        let f = try await Fixture(store)
        _ = try await f.seeded()
        let (_, secret) = try await f.termAuth.admin.addClient(.init(id: "web", name: "Web", redirectURIs: ["https://w.example/cb"]))
        await #expect(throws: TermAuthError.grantNotAllowed(.clientCredentials)) {
            try await f.exchange(["grant_type": "client_credentials"], id: "web", secret: secret)
        }
    }

    /// A public client has no secret, so nothing proves it is itself: registering one for client
    /// credentials is refused, and one registered so before that rule is refused at the token endpoint.
    @Test(arguments: TestStore.all) func neverForPublicClients(_ store: TestStore) async throws {
        let f = try await Fixture(store)
        _ = try await f.seeded()
        await #expect(throws: TermAuthError.invalidArgument("a public client cannot use client_credentials: it has no secret")) {
            _ = try await f.termAuth.admin.addClient(
                .init(id: "cli", name: "CLI", isPublic: true, redirectURIs: [], grantTypes: [.clientCredentials]))
        }
        try await f.termAuth.store.insertClient(
            Client(id: "old", name: "Old", secret: nil, redirectURIs: [], grantTypes: [.clientCredentials]), audit: nil)
        await #expect(throws: TermAuthError.grantNotAllowed(.clientCredentials)) {
            try await f.exchange(["grant_type": "client_credentials"], id: "old", secret: nil)
        }
    }

    /// RFC 6749 §3.3: only scopes on the client's list (any registered one when the list is empty),
    /// and the list itself when the request names none.
    @Test(arguments: TestStore.all) func scopesStayWithinWhatTheClientWasRegisteredFor(_ store: TestStore) async throws {
        let f = try await Fixture(store)
        let (_, appSecret) = try await f.seeded()
        let (_, secret) = try await f.termAuth.admin.addClient(
            .init(
                id: "svc", name: "Service", redirectURIs: [], grantTypes: [.clientCredentials], scopes: ["profile"]))
        await #expect(throws: TermAuthError.scopeNotAllowed("email")) {
            try await f.exchange(["grant_type": "client_credentials", "scope": "profile email"], id: "svc", secret: secret)
        }
        #expect(try await f.exchange(["grant_type": "client_credentials"], id: "svc", secret: secret).scope == ScopeSet(["profile"]))
        await #expect(throws: TermAuthError.unknownScope("admin")) {
            try await f.exchange(["grant_type": "client_credentials", "scope": "profile admin"], secret: appSecret)
        }
    }
}
