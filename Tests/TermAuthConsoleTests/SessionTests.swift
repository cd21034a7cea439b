import Foundation
import Testing
import TermAuthCore
@testable import TermAuthConsole

/// The approval session against a real core (SQLite in a temporary directory) and the
/// in-memory terminal: keys in, decisions recorded through the same flow as everything else.
@Suite struct SessionTests {
    struct World {
        let termAuth: TermAuth
        init() async throws {
            let dir = NSTemporaryDirectory() + "termauth-console-" + UUID().uuidString
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            var settings = Settings()
            settings.security.passwordHashRounds = PasswordHasher.minimumRounds
            // Every suite runs at once in one process, sharing its one hashing pool (see `PasswordHashPool.shared`).
            settings.security.passwordHashQueue = 100_000
            settings.security.failedSignInMilliseconds = 0
            termAuth = try TermAuth.open(database: dir + "/t.db", settings: settings)
            try await termAuth.admin.addScope(Scope(name: "profile", description: "Read your profile"))
            try await termAuth.admin.addScope(Scope(name: "email", description: "Read your email", translations: ["de": "Deine E-Mail lesen"]))
            _ = try await termAuth.admin.addUser(username: "alice", displayName: "Alice", password: "correct horse")
            _ = try await termAuth.admin.addClient(.init(id: "app", name: "App", redirectURIs: ["http://127.0.0.1/cb"]))
        }

        func park(scope: String = "profile email", extra: [(String, String)] = []) async throws -> PendingAuthorization {
            let pairs =
                extra + [
                    ("response_type", "code"), ("client_id", "app"), ("redirect_uri", "http://127.0.0.1:5000/cb"),
                    ("scope", scope), ("code_challenge", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"),
                    ("code_challenge_method", "S256"),
                ]
            let parked = try await termAuth.flow.park(try await termAuth.flow.validator.validate(pairs), origin: "test")
            return try await termAuth.flow.pending(requestID: parked.request.id)
        }
    }

    @Test func wrongPasswordThenRightThenConsentWithOneScopeUnticked() async throws {
        let world = try await World()
        let terminal = MemoryTerminal()
        terminal.type("alice")
        terminal.press(.enter)
        terminal.type("wrong")
        terminal.press(.enter)
        terminal.type("correct horse")
        terminal.press(.enter)
        // Consent: focus on email (first changeable, sorted: email, profile); untick it, remember, approve.
        terminal.press(.character(" "), .down, .down, .character(" "), .character("a"))
        let session = ApprovalSession(flow: world.termAuth.flow, runner: ScreenRunner(terminal: terminal, theme: .builtIn), language: nil)
        let result = try await session.run(try await world.park())
        #expect(result == .approved(ScopeSet(["profile"])))
        #expect(terminal.frames.contains { $0.lines.joined().contains("incorrect username or password") })

        // Second time, within the remembered scopes: only the sign-in screen is shown.
        let again = MemoryTerminal()
        again.type("alice")
        again.press(.enter)
        again.type("correct horse")
        again.press(.enter)
        let second = ApprovalSession(flow: world.termAuth.flow, runner: ScreenRunner(terminal: again, theme: .builtIn), language: nil)
        #expect(try await second.run(try await world.park(scope: "profile")) == .approved(ScopeSet(["profile"])))
        #expect(!again.frames.contains { $0.lines.joined().contains("Allow access?") })
        #expect(again.frames.contains { $0.lines.joined().contains("Sign in") })

        // Reached by its code, the same request is confirmed first, remembered consent or not;
        // Enter on the confirmation denies (focus starts on Deny).
        let byCode = MemoryTerminal()
        byCode.press(.enter)
        let third = ApprovalSession(flow: world.termAuth.flow, runner: ScreenRunner(terminal: byCode, theme: .builtIn), language: nil)
        let pending = try await world.park(scope: "profile")
        #expect(try await third.run(pending, confirm: true) == .denied)
        #expect(byCode.frames.contains { $0.lines.joined().contains("Deny if someone sent you this code.") })
        #expect(!byCode.frames.contains { $0.lines.joined().contains("Sign in") })
        let denial = try await world.termAuth.store.recentAudit(limit: 5).last
        #expect(denial?.kind == .requestDenied && denial?.origin?.hasPrefix("terminal:") == true)
    }

    /// OpenID Connect Core §3.1.2.1: `login_hint` fills in the username (focus goes to the
    /// password), and `ui_locales` picks the consent screen's language where a translation exists.
    @Test func loginHintAndUILocalesShapeTheScreens() async throws {
        let world = try await World()
        let terminal = MemoryTerminal()
        terminal.type("correct horse")
        terminal.press(.enter)
        terminal.press(.character("a"))
        let session = ApprovalSession(flow: world.termAuth.flow, runner: ScreenRunner(terminal: terminal, theme: .builtIn), language: "en")
        let pending = try await world.park(extra: [("login_hint", "alice"), ("ui_locales", "fr-CA de-CH")])
        #expect(try await session.run(pending) == .approved(ScopeSet(["email", "profile"])))
        #expect(terminal.frames.contains { $0.lines.joined().contains("Deine E-Mail lesen") })
        #expect(!terminal.frames.contains { $0.lines.joined().contains("Read your email") })
    }

    @Test func cancellingTheSignInDeniesTheRequest() async throws {
        let world = try await World()
        let terminal = MemoryTerminal()
        terminal.press(.escape)
        let pending = try await world.park()
        let result = try await ApprovalSession(flow: world.termAuth.flow, runner: ScreenRunner(terminal: terminal, theme: .builtIn), language: nil)
            .run(pending)
        #expect(result == .denied)
        #expect(try await world.termAuth.store.request(id: pending.request.id)?.status == .denied)
    }
}

extension SessionTests {
    @Test func lockoutReachedThroughTheSignInScreen() async throws {
        let world = try await World()
        let terminal = MemoryTerminal()
        terminal.type("alice")
        terminal.press(.enter)
        for _ in 0..<5 {
            terminal.type("wrong")
            terminal.press(.enter)
        }
        // Locked now: the right password is refused with the same words; then Esc gives up.
        terminal.type("correct horse")
        terminal.press(.enter, .escape)
        let pending = try await world.park()
        let result = try await ApprovalSession(flow: world.termAuth.flow, runner: ScreenRunner(terminal: terminal, theme: .builtIn), language: nil)
            .run(pending)
        #expect(result == .denied)
        #expect(try await world.termAuth.admin.lockedUntil(username: "alice") != nil)
        let refusals = terminal.frames.filter { $0.lines.joined().contains("incorrect username or password") }
        #expect(!refusals.isEmpty)
    }
}
