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
}
