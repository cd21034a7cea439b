import Testing
import Foundation
import Synchronization
@testable import TermAuthCore
import TermAuthTestSupport

/// A clock tests move by hand.
final class ManualClock: WallClock {
    private let current = Mutex<Int64>(1_800_000_000)
    func now() -> Int64 { current.withLock { $0 } }
    func advance(_ seconds: Int64) { current.withLock { $0 += seconds } }
}

/// A core on a real, empty database (a SQLite file, or a PostgreSQL schema), with cheap password hashing.
struct Fixture {
    let termAuth: TermAuth
    let clock: ManualClock

    static let password = "correct horse battery"
    static let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    static let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"

    init(_ store: TestStore = .sqlite, settings: Settings = Settings()) async throws {
        var settings = settings
        settings.security.passwordHashRounds = PasswordHasher.minimumRounds
        // Every suite runs at once in one process, sharing its one hashing pool (see `PasswordHashPool.shared`).
        settings.security.passwordHashQueue = 100_000
        // Refusals wait out their floor only where a test asks for it (the timing tests).
        if settings.security.failedSignInMilliseconds == Settings.Security().failedSignInMilliseconds {
            settings.security.failedSignInMilliseconds = 0
        }
        if settings.security.failedClientAuthMilliseconds == Settings.Security().failedClientAuthMilliseconds {
            settings.security.failedClientAuthMilliseconds = 0
        }
        clock = ManualClock()
        termAuth = try await store.open(settings: settings, clock: clock)
    }

    /// Scopes profile, email (and a required openid), a confidential client `app` and user alice.
    func seeded() async throws -> (client: Client, secret: String) {
        try await termAuth.admin.addScope(Scope(name: "profile", description: "Read your profile"))
        try await termAuth.admin.addScope(Scope(name: "email", description: "Read your email", translations: ["zh": "读取你的邮箱"]))
        try await termAuth.admin.addScope(Scope(name: "openid", description: "Know who you are", required: true))
        _ = try await termAuth.admin.addUser(username: "alice", displayName: "Alice", password: Self.password)
        let (client, secret) = try await termAuth.admin.addClient(
            .init(
                id: "app", name: "App", redirectURIs: ["https://app.example/cb", "http://127.0.0.1/callback"],
                grantTypes: [.authorizationCode, .refreshToken, .clientCredentials]))
        return (client, secret!)
    }

    func authorizeQuery(_ extra: [(String, String)] = [], scope: String = "profile email") -> [(String, String)] {
        var pairs = [
            ("response_type", "code"), ("client_id", "app"), ("redirect_uri", "https://app.example/cb"),
            ("scope", scope), ("state", "s t&=ate"), ("code_challenge", Self.challenge), ("code_challenge_method", "S256"),
        ]
        for (k, v) in extra {
            pairs.removeAll { $0.0 == k }
            if !v.isEmpty { pairs.append((k, v)) }
        }
        return pairs
    }

    /// Parks a request and signs alice in for it, as a front end does before asking consent.
    func parkAndSignIn(scope: String = "profile email") async throws -> (parked: ParkedRequest, pending: PendingAuthorization, alice: SignedInUser) {
        let flow = termAuth.flow
        let parked = try await flow.park(try await flow.validator.validate(authorizeQuery(scope: scope)), origin: "test")
        let pending = try await flow.pending(approvalCode: parked.approvalCode, source: "test")
        let alice = try await flow.signIn(username: "alice", password: Self.password, for: pending)
        return (parked, pending, alice)
    }

    /// Parks, signs in, approves and delivers; returns the code from the redirect.
    func issueCode(scopes: ScopeSet? = nil, remember: Bool = false, requesting scope: String = "profile email") async throws -> String {
        let flow = termAuth.flow
        let parked = try await flow.park(try await flow.validator.validate(authorizeQuery(scope: scope)), origin: "test")
        let pending = try await flow.pending(approvalCode: parked.approvalCode, source: "test")
        let user = try await flow.signIn(username: "alice", password: Self.password, for: pending)
        try await flow.approve(pending, user: user, scopes: scopes, remember: remember)
        guard case .redirect(let location) = try await flow.deliver(handle: parked.handle) else { throw TermAuthError.unknownRequest }
        return try #require(Self.query(location)["code"])
    }

    func exchange(_ pairs: [String: String], id: String = "app", secret: String?) async throws -> TokenResponse {
        try await termAuth.tokens.exchange(OAuthParameters(pairs), credentials: .basic(id: id, secret: secret))
    }

    func redeem(_ code: String, secret: String) async throws -> TokenResponse {
        try await exchange(
            ["grant_type": "authorization_code", "code": code, "redirect_uri": "https://app.example/cb", "code_verifier": Self.verifier],
            secret: secret)
    }

    static func query(_ url: String) -> [String: String] {
        let components = URLComponents(string: url)
        return Dictionary((components?.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { a, _ in a })
    }
}
