import Foundation
import Testing
@testable import TermAuthCore

@Suite struct TokenTests {
    @Test func refreshRotatesAndReuseRevokesTheFamily() async throws {
        let f = try Fixture()
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

    @Test func concurrentRefreshesRotateOnce() async throws {
        let f = try Fixture()
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

    @Test func refreshMayNarrowButNotWidenScope() async throws {
        let f = try Fixture()
        let (_, secret) = try await f.seeded()
        let first = try await f.redeem(try await f.issueCode(scopes: ScopeSet(["profile"])), secret: secret)
        await #expect(throws: TermAuthError.scopeNotAllowed("email")) {
            try await f.exchange(["grant_type": "refresh_token", "refresh_token": first.refreshToken!, "scope": "profile email"], secret: secret)
        }
        let narrowed = try await f.exchange(["grant_type": "refresh_token", "refresh_token": first.refreshToken!, "scope": "profile"], secret: secret)
        #expect(narrowed.scope == ScopeSet(["profile"]))
    }

    @Test func clientCredentialsIssuesNoRefreshToken() async throws {
        let f = try Fixture()
        let (_, secret) = try await f.seeded()
        let response = try await f.exchange(["grant_type": "client_credentials", "scope": "profile"], secret: secret)
        #expect(response.refreshToken == nil)
        #expect(response.scope == ScopeSet(["profile"]))
        let access = try await f.termAuth.resources.authorize(accessToken: response.accessToken, requiredScope: "profile")
        #expect(access.user == nil)
        #expect(access.token.clientID == "app")
    }

    @Test func clientAuthenticationFailures() async throws {
        let f = try Fixture()
        let (_, secret) = try await f.seeded()
        let cc = ["grant_type": "client_credentials"]
        await #expect(throws: TermAuthError.clientAuthenticationFailed) { try await f.exchange(cc, secret: secret + "x") }
        await #expect(throws: TermAuthError.clientAuthenticationFailed) { try await f.exchange(cc, secret: nil) }
        await #expect(throws: TermAuthError.clientAuthenticationFailed) { try await f.exchange(cc, id: "nobody", secret: secret) }
        await #expect(throws: TermAuthError.unsupportedGrantType("magic")) { try await f.exchange(["grant_type": "magic"], secret: secret) }
        _ = try await f.termAuth.admin.addClient(.init(id: "web", name: "Web", redirectURIs: ["https://w.example/cb"]))
        await #expect(throws: TermAuthError.clientAuthenticationFailed) { try await f.exchange(cc, id: "web", secret: secret) }
    }

    @Test func grantsTheClientWasNotGivenAreUnauthorized() async throws {
        let f = try Fixture()
        _ = try await f.seeded()
        let (_, secret) = try await f.termAuth.admin.addClient(.init(id: "web", name: "Web", redirectURIs: ["https://w.example/cb"]))
        await #expect(throws: TermAuthError.grantNotAllowed(.clientCredentials)) {
            try await f.exchange(["grant_type": "client_credentials"], id: "web", secret: secret)
        }
    }

    @Test func secretsAreStoredOnlyAsHashes() async throws {
        let f = try Fixture()
        let (_, secret) = try await f.seeded()
        let tokens = try await f.redeem(try await f.issueCode(), secret: secret)
        let files = ["termauth.db", "termauth.db-wal"].compactMap { try? Data(contentsOf: URL(fileURLWithPath: f.directory + "/" + $0)) }
        for value in [secret, tokens.accessToken, tokens.refreshToken!, Fixture.password] {
            #expect(files.allSatisfy { $0.range(of: Data(value.utf8)) == nil }, "found a secret in the database")
        }
        let mode = try FileManager.default.attributesOfItem(atPath: f.directory + "/termauth.db")[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test func secretHashIsSaltedAndChecksExactly() {
        let a = SecretHash.make(for: "s3cret")
        let b = SecretHash.make(for: "s3cret")
        #expect(a != b)
        #expect(a.matches("s3cret") && b.matches("s3cret"))
        #expect(!a.matches("s3cres") && !a.matches("") && !a.matches("s3cret "))
        #expect(SecretHash(encoded: a.encoded) == a)
    }
}
