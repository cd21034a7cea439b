import Foundation
import Testing
@testable import TermAuthCore
import TermAuthTestSupport

/// SSH keys that sign a user in: what is accepted and how it is fingerprinted (compared with
/// OpenSSH's own `ssh-keygen -l`), where keys are stored, and how a proven key signs in under the
/// same lockout and audit as a password.
@Suite struct SSHKeySignInTests {
    /// Made with `ssh-keygen -t ed25519 -C alice@laptop` and `-t ecdsa -b 384 -C ci`; the
    /// fingerprints are what `ssh-keygen -lf` printed for them.
    static let ed25519 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINDADfya4HcCSpJFvoxZJi6+8ujc4qXi61XlrJroVsAF alice@laptop"
    static let ed25519Fingerprint = "SHA256:cZu7slpLil4GjEsIKbad6fFxCpxtQ5dI7bCFc8QDnv0"
    static let ecdsa =
        "ecdsa-sha2-nistp384 AAAAE2VjZHNhLXNoYTItbmlzdHAzODQAAAAIbmlzdHAzODQAAABhBKq8yd/QtWxXPjKH2ZXfhOdGe2LkvEr6frRgm14m3cbGpK4Lpk1EiW1K4He7aIJurUYWKEqC/McyJA749w2IKOhAkWb/m/lpfIwlNQLtexN8GR9mcbnEsu3mgrG2ALmf/A== ci"
    static let ecdsaFingerprint = "SHA256:AK+Aw4b5URNjhwrg9mVIjbi2yMm9vFMVRnmWxjhaGTU"

    @Test func fingerprintsMatchOpenSSH() throws {
        let ed = try SSHPublicKey(line: Self.ed25519)
        #expect(ed.type == "ssh-ed25519" && ed.comment == "alice@laptop" && ed.fingerprint == Self.ed25519Fingerprint)
        let ec = try SSHPublicKey(line: "  " + Self.ecdsa + "\n")
        #expect(ec.type == "ecdsa-sha2-nistp384" && ec.fingerprint == Self.ecdsaFingerprint)
        #expect(ed.openSSH + " alice@laptop" == Self.ed25519)
    }

    @Test func refusesWhatTheSSHServerCannotVerify() {
        let refusals: [(String, String)] = [
            ("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQDX", "RSA keys cannot sign in"),
            ("ssh-dss AAAAB3NzaC1kc3MAAACBAP", "is not accepted"),
            ("ssh-ed25519", "not an OpenSSH public key line"),
            ("ssh-ed25519 !!!notbase64", "not valid base64"),
            // An Ed25519 blob claimed as ECDSA, and one cut short.
            ("ecdsa-sha2-nistp256 AAAAC3NzaC1lZDI1NTE5AAAAINDADfya4HcCSpJFvoxZJi6+8ujc4qXi61XlrJroVsAF", "damaged or of another type"),
            ("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINDADfya4HcCSpJFvoxZJi6+8ujc4qXi61Xl", "damaged or of another type"),
        ]
        for (line, expected) in refusals {
            #expect(throws: TermAuthError.self) { try SSHPublicKey(line: line) }
            do {
                _ = try SSHPublicKey(line: line)
            } catch {
                #expect(error.description.contains(expected), "\(line): \(error.description)")
            }
        }
    }

    @Test(arguments: TestStore.all) func keysAreStoredPerUserAndGoWithTheUser(_ store: TestStore) async throws {
        let f = try await Fixture(store)
        _ = try await f.seeded()
        let admin = f.termAuth.admin
        let added = try await admin.addUserKey(username: "alice", line: Self.ed25519)
        #expect(added.fingerprint == Self.ed25519Fingerprint && added.comment == "alice@laptop")
        _ = try await admin.addUserKey(username: "alice", line: Self.ecdsa)
        #expect(Set(try await admin.userKeys(username: "alice").map(\.fingerprint)) == [Self.ed25519Fingerprint, Self.ecdsaFingerprint])
        await #expect(throws: TermAuthError.invalidArgument("alice already has the key \(Self.ed25519Fingerprint)")) {
            try await admin.addUserKey(username: "alice", line: Self.ed25519)
        }
        try await admin.removeUserKey(username: "alice", fingerprint: Self.ecdsaFingerprint)
        #expect(try await admin.userKeys(username: "alice").map(\.fingerprint) == [Self.ed25519Fingerprint])
        await #expect(throws: TermAuthError.self) { try await admin.removeUserKey(username: "alice", fingerprint: Self.ecdsaFingerprint) }
        let audit = try await f.termAuth.store.recentAudit(limit: 20).map(\.kind)
        #expect(audit.filter { $0 == .userKeyAdded }.count == 2 && audit.contains(.userKeyRemoved))

        let alice = try #require(try await f.termAuth.store.user(username: "alice"))
        try await admin.removeUser(username: "alice")
        #expect(try await f.termAuth.store.userKeys(userID: alice.id).isEmpty)
    }

    @Test(arguments: TestStore.all) func operatorMarkIsSetAndCleared(_ store: TestStore) async throws {
        let f = try await Fixture(store)
        _ = try await f.seeded()
        #expect(try await f.termAuth.store.user(username: "alice")?.isOperator == false)
        _ = try await f.termAuth.admin.updateUser(username: "alice", isOperator: true)
        #expect(try await f.termAuth.store.user(username: "alice")?.isOperator == true)
        _ = try await f.termAuth.admin.updateUser(username: "alice", isOperator: false)
        #expect(try await f.termAuth.store.user(username: "alice")?.isOperator == false)
        let bob = try await f.termAuth.admin.addUser(username: "bob", displayName: nil, password: Fixture.password, isOperator: true)
        #expect(try await f.termAuth.store.user(username: "bob") == bob)
    }

    @Test(arguments: TestStore.all) func aProvenKeySignsInOnlyItsOwnUser(_ store: TestStore) async throws {
        let f = try await Fixture(store)
        _ = try await f.seeded()
        _ = try await f.termAuth.admin.addUser(username: "bob", displayName: nil, password: Fixture.password)
        _ = try await f.termAuth.admin.addUserKey(username: "alice", line: Self.ed25519)
        let signIn = f.termAuth.signIn
        let alice = try await signIn.signIn(username: "alice", provenKey: Self.ed25519Fingerprint, origin: "192.0.2.7")
        #expect(alice.user.username == "alice" && alice.key == Self.ed25519Fingerprint)
        await #expect(throws: TermAuthError.invalidCredentials) {
            try await signIn.signIn(username: "bob", provenKey: Self.ed25519Fingerprint, origin: "192.0.2.7")
        }
        let audit = try await f.termAuth.store.recentAudit(limit: 20)
        #expect(
            audit.contains {
                $0.kind == .loginSucceeded && $0.username == "alice" && $0.detail == "key \(Self.ed25519Fingerprint)" && $0.origin == "192.0.2.7"
            })
        #expect(audit.contains { $0.kind == .loginFailed && $0.username == "bob" && $0.detail.contains(Self.ed25519Fingerprint) })
    }

    /// Anyone holding any key can offer it for someone else: that counts against where it came
    /// from, never against the account (or anyone could lock it). A lock from wrong passwords
    /// refuses the account's own key too.
    @Test(arguments: TestStore.all) func failedKeysCountAgainstTheSourceAndLocksHoldForKeys(_ store: TestStore) async throws {
        var settings = Settings()
        settings.security.maxFailedLogins = 3
        settings.security.maxFailedLoginsPerSource = 4
        let f = try await Fixture(store, settings: settings)
        _ = try await f.seeded()
        _ = try await f.termAuth.admin.addUserKey(username: "alice", line: Self.ed25519)
        let signIn = f.termAuth.signIn
        for _ in 0..<4 {
            await #expect(throws: TermAuthError.invalidCredentials) {
                try await signIn.signIn(username: "alice", provenKey: Self.ecdsaFingerprint, origin: "192.0.2.7")
            }
        }
        // That address is locked out, alice is not.
        await #expect(throws: TermAuthError.invalidCredentials) {
            try await signIn.signIn(username: "alice", provenKey: Self.ed25519Fingerprint, origin: "192.0.2.7")
        }
        #expect(try await signIn.signIn(username: "alice", provenKey: Self.ed25519Fingerprint, origin: "192.0.2.8").user.username == "alice")
        #expect(try await f.termAuth.store.recentAudit(limit: 50).contains { $0.kind == .sourceLocked })

        for _ in 0..<3 {
            await #expect(throws: TermAuthError.invalidCredentials) {
                try await signIn.signIn(username: "alice", password: "wrong", origin: "192.0.2.9")
            }
        }
        await #expect(throws: TermAuthError.invalidCredentials) {
            try await signIn.signIn(username: "alice", provenKey: Self.ed25519Fingerprint, origin: "192.0.2.10")
        }
        #expect(try await f.termAuth.store.recentAudit(limit: 50).contains { $0.kind == .accountLocked && $0.username == "alice" })
        f.clock.advance(settings.security.lockoutSeconds + 1)
        #expect(try await signIn.signIn(username: "alice", provenKey: Self.ed25519Fingerprint, origin: "192.0.2.10").user.username == "alice")
    }

    @Test(arguments: TestStore.all) func sessionTicketsCarryAKeySignInToTheSessionOnly(_ store: TestStore) async throws {
        let f = try await Fixture(store)
        _ = try await f.seeded()
        _ = try await f.termAuth.admin.addUserKey(username: "alice", line: Self.ed25519)
        let alice = try await f.termAuth.signIn.signIn(username: "alice", provenKey: Self.ed25519Fingerprint, origin: "192.0.2.7")
        let tickets = f.termAuth.sessionTickets
        let ticket = try tickets.issue(for: alice, source: "192.0.2.7")
        #expect(try await tickets.redeem(ticket, source: "192.0.2.7") == alice)
        // Another source, a forged MAC, or an old ticket: nobody.
        await #expect(throws: TermAuthError.invalidCredentials) { try await tickets.redeem(ticket, source: "192.0.2.8") }
        let forged = String(ticket.dropLast(2)) + (ticket.hasSuffix("AA") ? "BB" : "AA")
        await #expect(throws: TermAuthError.invalidCredentials) { try await tickets.redeem(forged, source: "192.0.2.7") }
        f.clock.advance(SessionTickets.lifetime)
        await #expect(throws: TermAuthError.invalidCredentials) { try await tickets.redeem(ticket, source: "192.0.2.7") }
        // A password sign-in has no key to hand over.
        let byPassword = try await f.termAuth.signIn.signIn(username: "alice", password: Fixture.password, origin: "192.0.2.7")
        #expect(throws: TermAuthError.self) { try tickets.issue(for: byPassword, source: "192.0.2.7") }
        // A key removed meanwhile no longer counts.
        let fresh = try tickets.issue(for: alice, source: "192.0.2.7")
        try await f.termAuth.admin.removeUserKey(username: "alice", fingerprint: Self.ed25519Fingerprint)
        await #expect(throws: TermAuthError.invalidCredentials) { try await tickets.redeem(fresh, source: "192.0.2.7") }
    }

    @Test func wrappedKeyFilesAreMadeOnceAndUnreadableWithoutTheirKey() throws {
        let directory = NSTemporaryDirectory() + "termauth-wrap-" + UUID().uuidString
        let path = directory + "/host.key"
        let wrap = KeyWrap(localKey: Data(repeating: 7, count: 32))
        let secret = try WrappedKeyFile.loadOrCreate(path: path, what: "SSH host key", wrap: wrap) { Data(repeating: 1, count: 32) }
        let again = try WrappedKeyFile.loadOrCreate(path: path, what: "SSH host key", wrap: wrap) { Data(repeating: 2, count: 32) }
        #expect(secret == again && secret == Data(repeating: 1, count: 32))
        let stored = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(stored.range(of: Data(repeating: 1, count: 32)) == nil)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let otherInstallation = KeyWrap(localKey: Data(repeating: 8, count: 32))
        #expect(throws: TermAuthError.self) {
            try WrappedKeyFile.loadOrCreate(path: path, what: "SSH host key", wrap: otherInstallation) { Data() }
        }
    }
}
