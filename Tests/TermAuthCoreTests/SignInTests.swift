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
        #expect(try await f.termAuth.admin.lockedUntil(username: "alice") == f.clock.now() + 900)
        // While locked, even the right password is refused, with the very same answer.
        await #expect(throws: TermAuthError.invalidCredentials) { try await signIn.signIn(username: "alice", password: Fixture.password) }
        let audit = try await f.termAuth.store.recentAudit(limit: 20)
        #expect(audit.contains { $0.kind == .accountLocked && $0.username == "alice" })
        // The refusal during the lock cost no hash and no audit row: the lock is the last event.
        #expect(audit.last?.kind == .accountLocked)
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
        #expect(try await f.termAuth.admin.lockedUntil(username: "alice") == nil)
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

    /// The check-then-act race: every one of 50 parallel wrong passwords used to read "not
    /// locked" before any failure was counted. Now at most `maxFailedLogins` reach the hash.
    @Test(arguments: TestStore.all) func parallelWrongPasswordsReachTheCheckAtMostLimitTimes(_ store: TestStore) async throws {
        let f = try await Fixture(store)
        _ = try await f.seeded()
        let signIn = f.termAuth.signIn
        await withTaskGroup(of: Void.self) { group in
            for i in 0..<50 {
                group.addTask { _ = try? await signIn.signIn(username: "alice", password: "wrong", origin: "10.0.0.\(i)") }
            }
        }
        let audit = try await f.termAuth.store.recentAudit(limit: 500)
        let checked = audit.filter { $0.kind == .loginFailed && $0.detail == "wrong password" }
        #expect(checked.count <= 5)
        #expect(checked.count >= 1)
        #expect(audit.filter { $0.kind == .accountLocked }.count == 1)
        await #expect(throws: TermAuthError.invalidCredentials) {
            try await signIn.signIn(username: "alice", password: Fixture.password, origin: "10.0.1.1")
        }
    }

    /// One address guessing across many usernames is stopped by its own limit, so it cannot
    /// lock out every user; other addresses are unaffected.
    @Test(arguments: TestStore.all) func oneSourceIsThrottledAcrossUsernames(_ store: TestStore) async throws {
        var settings = Settings()
        settings.security.maxFailedLoginsPerSource = 6
        let f = try await Fixture(store, settings: settings)
        _ = try await f.seeded()
        let signIn = f.termAuth.signIn
        for i in 0..<6 { _ = try? await signIn.signIn(username: "user\(i)", password: "wrong", origin: "192.0.2.7") }
        for i in 6..<20 { _ = try? await signIn.signIn(username: "user\(i)", password: "wrong", origin: "192.0.2.7") }
        let audit = try await f.termAuth.store.recentAudit(limit: 500)
        #expect(audit.filter { $0.kind == .loginFailed }.count == 6)
        #expect(audit.contains { $0.kind == .sourceLocked && $0.origin == "192.0.2.7" })
        await #expect(throws: TermAuthError.invalidCredentials) {
            try await signIn.signIn(username: "alice", password: Fixture.password, origin: "192.0.2.7")
        }
        #expect(try await signIn.signIn(username: "alice", password: Fixture.password, origin: "192.0.2.8").user.username == "alice")
        // Only six users' counters moved; none of them is locked.
        #expect(try await f.termAuth.admin.lockedUntil(username: "user0") == nil)
    }

    @Test(arguments: TestStore.all) func aNewPasswordLiftsTheLock(_ store: TestStore) async throws {
        let f = try await Fixture(store)
        _ = try await f.seeded()
        for _ in 0..<5 { _ = try? await f.termAuth.signIn.signIn(username: "alice", password: "wrong") }
        #expect(try await f.termAuth.admin.lockedUntil(username: "alice") != nil)
        try await f.termAuth.admin.setPassword(username: "alice", password: "a brand new one")
        #expect(try await f.termAuth.admin.lockedUntil(username: "alice") == nil)
        #expect(try await f.termAuth.signIn.signIn(username: "alice", password: "a brand new one").user.username == "alice")
    }

    @Test func aRefusalTakesItsFloorWhateverTheReason() async throws {
        var settings = Settings()
        settings.security.failedSignInMilliseconds = 150
        let f = try await Fixture(.sqlite, settings: settings)
        _ = try await f.seeded()
        for (user, password) in [("mallory", "x"), ("alice", "wrong")] {
            let started = ContinuousClock.now
            _ = try? await f.termAuth.signIn.signIn(username: user, password: password)
            #expect(ContinuousClock.now - started >= .milliseconds(150))
        }
    }

    /// Claiming before hashing must not turn away an account's own parallel sign-ins: claims in
    /// flight free up as they succeed.
    @Test(arguments: TestStore.all) func manyRightPasswordsAtOnceAllSucceed(_ store: TestStore) async throws {
        let f = try await Fixture(store)
        _ = try await f.seeded()
        let signIn = f.termAuth.signIn
        let outcomes = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<12 { group.addTask { (try? await signIn.signIn(username: "alice", password: Fixture.password)) != nil } }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(outcomes.allSatisfy { $0 })
    }

    /// People at a local terminal already hold the database: the per-source rule, made for
    /// network addresses, does not lock a machine's own console.
    @Test(arguments: TestStore.all) func localTerminalsAreNotASource(_ store: TestStore) async throws {
        var settings = Settings()
        settings.security.maxFailedLoginsPerSource = 3
        let f = try await Fixture(store, settings: settings)
        _ = try await f.seeded()
        for i in 0..<6 { _ = try? await f.termAuth.signIn.signIn(username: "user\(i)", password: "wrong", origin: "terminal:root") }
        #expect(try await f.termAuth.signIn.signIn(username: "alice", password: Fixture.password, origin: "terminal:root").user.username == "alice")
    }
}
