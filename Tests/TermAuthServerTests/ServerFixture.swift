import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import TermAuthCore
import TermAuthTestSupport
import Testing
@testable import TermAuthServer

/// The real application over a real, empty database, driven through HummingbirdTesting.
struct ServerFixture {
    let termAuth: TermAuth
    let secret: String
    static let password = "correct horse battery"
    static let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    static let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"

    static func make(_ store: TestStore = .sqlite) async throws -> ServerFixture {
        var settings = Settings()
        settings.security.passwordHashRounds = PasswordHasher.minimumRounds
        // Every suite runs at once in one process, sharing its one hashing pool (see `PasswordHashPool.shared`).
        settings.security.passwordHashQueue = 100_000
        settings.security.failedSignInMilliseconds = 0
        settings.security.failedClientAuthMilliseconds = 0
        settings.issuer = "http://auth.test"
        let termAuth = try await store.open(settings: settings)
        try await termAuth.admin.addScope(Scope(name: "profile", description: "Read your profile"))
        try await termAuth.admin.addScope(Scope(name: "email", description: "Read your email"))
        _ = try await termAuth.admin.addUser(username: "alice", displayName: "Alice", password: password)
        let (_, secret) = try await termAuth.admin.addClient(
            .init(
                id: "app", name: "App", redirectURIs: ["https://app.example/cb"],
                grantTypes: [.authorizationCode, .refreshToken, .clientCredentials], mayIntrospect: true))
        return ServerFixture(termAuth: termAuth, secret: secret!)
    }

    func test<Value>(_ body: @Sendable (any TestClientProtocol) async throws -> Value) async throws -> Value {
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let app = try TermAuthHTTP.buildApplication(termAuth, host: "127.0.0.1", port: 0, logger: logger)
        return try await app.test(.router, body)
    }

    var basic: String { "Basic " + Data("app:\(secret)".utf8).base64EncodedString() }

    static func form(_ pairs: [(String, String)]) -> ByteBuffer {
        ByteBuffer(string: pairs.map { "\(FormEncoding.encode($0.0))=\(FormEncoding.encode($0.1))" }.joined(separator: "&"))
    }

    static let formHeaders: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]

    func tokenHeaders(auth: String? = nil) -> HTTPFields {
        var h = Self.formHeaders
        h[.authorization] = auth ?? basic
        return h
    }

    static let authorizeQuery =
        "/authorize?response_type=code&client_id=app&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&scope=profile%20email"
        + "&state=xyz%20%2B&code_challenge=\(challenge)&code_challenge_method=S256"

    /// Approves the one pending request as alice, as `termauth approve` would.
    func approvePending(scopes: ScopeSet? = nil) async throws {
        let flow = termAuth.flow
        var pending: [PendingAuthorization] = []
        for _ in 0..<100 where pending.isEmpty {
            pending = try await flow.pendingRequests()
            if pending.isEmpty { try await Task.sleep(for: .milliseconds(20)) }
        }
        let request = try #require(pending.first)
        let alice = try await flow.signIn(username: "alice", password: Self.password, for: request)
        try await flow.approve(request, user: alice, scopes: scopes, remember: false)
    }

    static func query(_ location: String?) -> [String: String] {
        let items = URLComponents(string: location ?? "")?.queryItems ?? []
        return Dictionary(items.map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { a, _ in a })
    }

    static func json(_ body: ByteBuffer) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any])
    }
}
