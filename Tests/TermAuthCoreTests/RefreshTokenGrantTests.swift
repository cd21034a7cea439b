import Testing
@testable import TermAuthCore
import TermAuthTestSupport

/// RFC 6749 §6 with rotation: every use returns a new refresh token, a rotated one presented
/// again revokes its family, and the scope may narrow but never widen.
@Suite struct RefreshTokenGrantTests {
    @Test(arguments: TestStore.all) func refreshRotatesAndReuseRevokesTheFamily(_ store: TestStore) async throws {
        let f = try await Fixture(store)
        let (_, secret) = try await f.seeded()
        let first = try await f.redeem(try await f.issueCode(), secret: secret)
        let second = try await f.exchange(["grant_type": "refresh_token", "refresh_token": first.refreshToken!], secret: secret)
        #expect(second.refreshToken != first.refreshToken)
        _ = try await f.termAuth.resources.authorize(accessToken: second.accessToken, requiredScope: "profile")

        await #expect(throws: TermAuthError.refreshTokenReused) {
            try await f.exchange(["grant_type": "refresh_token", "refresh_token": first.refreshToken!], secret: secret)
        }
        await #expect(throws: TermAuthError.invalidRefreshToken) {
            try await f.exchange(["grant_type": "refresh_token", "refresh_token": second.refreshToken!], secret: secret)
        }
        await #expect(throws: TermAuthError.invalidAccessToken) {
            try await f.termAuth.resources.authorize(accessToken: second.accessToken, requiredScope: "profile")
        }
    }

    @Test(arguments: TestStore.all) func concurrentRefreshesRotateOnce(_ store: TestStore) async throws {
        let f = try await Fixture(store)
        let (_, secret) = try await f.seeded()
        let first = try await f.redeem(try await f.issueCode(), secret: secret)
        let successes = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    (try? await f.exchange(["grant_type": "refresh_token", "refresh_token": first.refreshToken!], secret: secret)) != nil
                }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(successes == 1)
    }

    @Test(arguments: TestStore.all) func refreshMayNarrowButNotWidenScope(_ store: TestStore) async throws {
        let f = try await Fixture(store)
        let (_, secret) = try await f.seeded()
        let first = try await f.redeem(try await f.issueCode(scopes: ScopeSet(["profile"])), secret: secret)
        await #expect(throws: TermAuthError.scopeNotAllowed("email")) {
            try await f.exchange(["grant_type": "refresh_token", "refresh_token": first.refreshToken!, "scope": "profile email"], secret: secret)
        }
        let narrowed = try await f.exchange(
            ["grant_type": "refresh_token", "refresh_token": first.refreshToken!, "scope": "profile"], secret: secret)
        #expect(narrowed.scope == ScopeSet(["profile"]))
    }

    /// A refresh token serves only the client it was issued to, and an access token is no refresh
    /// token. Neither refusal uses the refresh token up.
    @Test(arguments: TestStore.all) func aRefreshTokenIsBoundToItsClient(_ store: TestStore) async throws {
        let f = try await Fixture(store)
        let (_, secret) = try await f.seeded()
        let (_, otherSecret) = try await f.termAuth.admin.addClient(.init(id: "other", name: "Other", redirectURIs: ["https://o.example/cb"]))
        let first = try await f.redeem(try await f.issueCode(), secret: secret)
        await #expect(throws: TermAuthError.invalidRefreshToken) {
            try await f.exchange(["grant_type": "refresh_token", "refresh_token": first.refreshToken!], id: "other", secret: otherSecret)
        }
        await #expect(throws: TermAuthError.invalidRefreshToken) {
            try await f.exchange(["grant_type": "refresh_token", "refresh_token": first.accessToken], secret: secret)
        }
        let second = try await f.exchange(["grant_type": "refresh_token", "refresh_token": first.refreshToken!], secret: secret)
        #expect(second.scope == first.scope)
    }

    /// §6: narrowing narrows the new access token only; the rotated refresh token keeps the
    /// original grant, so a later refresh may ask for all of it again.
    @Test(arguments: TestStore.all) func narrowingKeepsTheRefreshTokensGrant(_ store: TestStore) async throws {
        let f = try await Fixture(store)
        let (_, secret) = try await f.seeded()
        let first = try await f.redeem(try await f.issueCode(), secret: secret)
        let narrowed = try await f.exchange(
            ["grant_type": "refresh_token", "refresh_token": first.refreshToken!, "scope": "profile"], secret: secret)
        #expect(narrowed.scope == ScopeSet(["profile"]))
        await #expect(throws: TermAuthError.insufficientScope(required: "email")) {
            try await f.termAuth.resources.authorize(accessToken: narrowed.accessToken, requiredScope: "email")
        }
        let again = try await f.exchange(["grant_type": "refresh_token", "refresh_token": narrowed.refreshToken!], secret: secret)
        #expect(again.scope == ScopeSet(["profile", "email"]))
    }
}
