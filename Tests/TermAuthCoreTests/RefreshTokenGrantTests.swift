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
        let narrowed = try await f.exchange(["grant_type": "refresh_token", "refresh_token": first.refreshToken!, "scope": "profile"], secret: secret)
        #expect(narrowed.scope == ScopeSet(["profile"]))
    }
}
