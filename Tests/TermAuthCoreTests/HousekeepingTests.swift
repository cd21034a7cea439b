import Foundation
import Testing
@testable import TermAuthCore
import TermAuthTestSupport

@Suite struct HousekeepingTests {
    @Test(arguments: TestStore.all) func expiredRowsGoAfterTheGraceButReuseIsStillCaughtWithinIt(_ store: TestStore) async throws {
        let f = try await Fixture(store)
        let (_, secret) = try await f.seeded()
        let first = try await f.redeem(try await f.issueCode(), secret: secret)
        let second = try await f.exchange(["grant_type": "refresh_token", "refresh_token": first.refreshToken!], secret: secret)
        let shortLived = try await f.termAuth.admin.issueToken(clientID: "app", username: nil, scopes: ScopeSet(["profile"]), ttl: 1)
        _ = try await f.termAuth.flow.park(try await f.termAuth.flow.validator.validate(f.authorizeQuery()), origin: "test")

        // Within the grace period nothing that could still matter is removed.
        f.clock.advance(2)
        #expect(try await f.termAuth.housekeeping.run().total == 0)
        await #expect(throws: TermAuthError.refreshTokenReused) {
            try await f.exchange(["grant_type": "refresh_token", "refresh_token": first.refreshToken!], secret: secret)
        }

        // A day past expiry the short-lived token, the code and the parked requests go; live refresh tokens stay.
        f.clock.advance(24 * 3600 + 3600)
        let purged = try await f.termAuth.housekeeping.run()
        #expect(purged.codes == 1 && purged.requests == 2)
        #expect(purged.tokens >= 3) // the access tokens (3600 s) and the short-lived one
        #expect(try await f.termAuth.store.token(hash: TokenHash(of: shortLived.accessToken)) == nil)
        #expect(try await f.termAuth.store.token(hash: TokenHash(of: second.refreshToken!)) != nil)
    }

    @Test func durabilityIsReadFromSettings() throws {
        #expect(try SettingsFile.parse("[storage]\ndurability = \"full\"", source: "t").durability == .full)
        #expect(throws: TermAuthError.self) { try SettingsFile.parse("[storage]\ndurability = \"fast\"", source: "t") }
    }

    /// Audit rows are kept `[audit] retain_days` (default 90), attempt counters until their
    /// window and lock are long over: neither grows without bound.
    @Test(arguments: TestStore.all) func auditRetentionAndIdleCountersArePurged(_ store: TestStore) async throws {
        var settings = Settings()
        settings.auditRetainDays = 30
        let f = try await Fixture(store, settings: settings)
        _ = try await f.seeded()
        _ = try? await f.termAuth.signIn.signIn(username: "alice", password: "wrong", origin: "192.0.2.1")
        #expect(try await f.termAuth.store.attemptCounter(key: AttemptKey.signInSource("192.0.2.1")) != nil)
        let before = try await f.termAuth.store.recentAudit(limit: 1000).count
        #expect(before > 0)
        f.clock.advance(29 * 86_400)
        try await f.termAuth.store.appendAudit(AuditEvent(at: f.clock.now(), kind: .tokenIssued, detail: "recent"))
        let purged = try await f.termAuth.housekeeping.run()
        #expect(purged.attempts == 2) // the user's and the source's counters
        #expect(purged.audit == 0)
        f.clock.advance(2 * 86_400)
        #expect(try await f.termAuth.housekeeping.run().audit == before)
        #expect(try await f.termAuth.store.recentAudit(limit: 1000).map(\.detail) == ["recent"])
        #expect(try await f.termAuth.store.attemptCounter(key: AttemptKey.signInSource("192.0.2.1")) == nil)
    }
}
