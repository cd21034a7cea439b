import Testing
@testable import TermAuthCore
import TermAuthTestSupport

@Suite struct SignInTests {
    @Test(arguments: TestStore.all) func wrongPasswordAndUnknownUserLookTheSame(_ store: TestStore) async throws {
        let f = try await Fixture(store)
        _ = try await f.seeded()
        await #expect(throws: TermAuthError.invalidCredentials) { try await f.termAuth.signIn.signIn(username: "alice", password: "nope") }
        await #expect(throws: TermAuthError.invalidCredentials) { try await f.termAuth.signIn.signIn(username: "mallory", password: "nope") }
        #expect(try await f.termAuth.signIn.signIn(username: "alice", password: Fixture.password).user.username == "alice")
    }

    @Test(arguments: TestStore.all) func lockoutAfterRepeatedFailuresThenUnlocksWithTime(_ store: TestStore) async throws {
        let f = try await Fixture(store)
        _ = try await f.seeded()
        let signIn = f.termAuth.signIn
        for _ in 0..<5 {
            await #expect(throws: TermAuthError.invalidCredentials) { try await signIn.signIn(username: "alice", password: "wrong") }
        }
        #expect(try await f.termAuth.store.user(username: "alice")?.lockedUntil == f.clock.now() + 900)
        // While locked, even the right password is refused, with the very same answer.
        await #expect(throws: TermAuthError.invalidCredentials) { try await signIn.signIn(username: "alice", password: Fixture.password) }
        let audit = try await f.termAuth.store.recentAudit(limit: 20)
        #expect(audit.contains { $0.kind == .accountLocked && $0.username == "alice" })
        #expect(audit.last?.detail.hasPrefix("account locked until") == true)
        f.clock.advance(901)
        #expect(try await signIn.signIn(username: "alice", password: Fixture.password).user.username == "alice")
    }

    @Test(arguments: TestStore.all) func failuresOutsideTheWindowDoNotAddUp(_ store: TestStore) async throws {
        let f = try await Fixture(store)
        _ = try await f.seeded()
        let signIn = f.termAuth.signIn
        for _ in 0..<4 { _ = try? await signIn.signIn(username: "alice", password: "wrong") }
        f.clock.advance(901)
        for _ in 0..<4 { _ = try? await signIn.signIn(username: "alice", password: "wrong") }
        #expect(try await f.termAuth.store.user(username: "alice")?.lockedUntil == nil)
        #expect(try await signIn.signIn(username: "alice", password: Fixture.password).user.username == "alice")
    }

    @Test(arguments: TestStore.all) func successResetsTheFailureCount(_ store: TestStore) async throws {
        let f = try await Fixture(store)
        _ = try await f.seeded()
        let signIn = f.termAuth.signIn
        for _ in 0..<4 { _ = try? await signIn.signIn(username: "alice", password: "wrong") }
        _ = try await signIn.signIn(username: "alice", password: Fixture.password)
        for _ in 0..<4 {
            await #expect(throws: TermAuthError.invalidCredentials) { try await signIn.signIn(username: "alice", password: "wrong") }
        }
    }

    @Test func passwordHashesVerifyAndCarryTheirCost() {
        let hasher = PasswordHasher(rounds: 2000)
        let hash = hasher.hash("hunter22")
        #expect(hash.hasPrefix("pbkdf2-sha512$2000$"))
        #expect(hasher.verify("hunter22", against: hash))
        #expect(PasswordHasher(rounds: 5000).verify("hunter22", against: hash))
        #expect(!hasher.verify("hunter23", against: hash))
        #expect(!hasher.verify("hunter22", against: "garbage"))
    }
}
