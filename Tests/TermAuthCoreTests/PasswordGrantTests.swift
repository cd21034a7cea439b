import Testing
@testable import TermAuthCore
import TermAuthTestSupport

/// RFC 6749 §4.3: off unless the client was registered with it, never for a public client, and
/// through the same sign-in and lockout as every other path.
@Suite struct PasswordGrantTests {
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
}
