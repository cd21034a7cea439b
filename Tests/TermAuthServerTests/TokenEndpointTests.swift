import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TermAuthCore
import TermAuthTestSupport
import Testing

@Suite struct TokenEndpointTests {
    /// Runs the authorize step and returns the code.
    func code(_ f: ServerFixture, _ client: any TestClientProtocol) async throws -> String {
        async let approval: Void = f.approvePending()
        let response = try await client.execute(uri: ServerFixture.authorizeQuery, method: .get)
        try await approval
        return try #require(ServerFixture.query(response.headers[.location])["code"])
    }

    func exchange(_ code: String) -> [(String, String)] {
        [("grant_type", "authorization_code"), ("code", code), ("redirect_uri", "https://app.example/cb"), ("code_verifier", ServerFixture.verifier)]
    }

    @Test(arguments: TestStore.all) func codeExchangeRefreshAndResource(_ store: TestStore) async throws {
        let f = try await ServerFixture.make(store)
        try await f.test { client in
            let code = try await code(f, client)
            let tokens = try await client.execute(uri: "/token", method: .post, headers: f.tokenHeaders(), body: ServerFixture.form(exchange(code)))
            #expect(tokens.status == .ok)
            #expect(tokens.headers[.cacheControl] == "no-store")
            #expect(tokens.headers[.contentType]?.hasPrefix("application/json") == true)
            let body = try ServerFixture.json(tokens.body)
            #expect(body["token_type"] as? String == "Bearer")
            #expect(body["expires_in"] as? Int == 3600)
            #expect(body["scope"] as? String == "email profile")
            let access = try #require(body["access_token"] as? String)
            let refresh = try #require(body["refresh_token"] as? String)

            let resource = try await client.execute(uri: "/resource", method: .get, headers: [.authorization: "Bearer \(access)"])
            #expect(resource.status == .ok)
            #expect(try ServerFixture.json(resource.body)["username"] as? String == "alice")

            let again = try await client.execute(uri: "/token", method: .post, headers: f.tokenHeaders(), body: ServerFixture.form(exchange(code)))
            #expect(again.status == .badRequest)
            #expect(try ServerFixture.json(again.body)["error"] as? String == "invalid_grant")

            let revoked = try await client.execute(uri: "/resource", method: .get, headers: [.authorization: "Bearer \(access)"])
            #expect(revoked.status == .unauthorized)
            #expect(revoked.headers[.wwwAuthenticate]?.contains("error=\"invalid_token\"") == true)

            let refreshed = try await client.execute(
                uri: "/token", method: .post, headers: f.tokenHeaders(),
                body: ServerFixture.form([("grant_type", "refresh_token"), ("refresh_token", refresh)]))
            #expect(refreshed.status == .badRequest, "the family was revoked with the reused code")
        }
    }

    @Test(arguments: TestStore.all) func clientSecretInTheBodyWorksToo(_ store: TestStore) async throws {
        let f = try await ServerFixture.make(store)
        try await f.test { client in
            let response = try await client.execute(
                uri: "/token", method: .post, headers: ServerFixture.formHeaders,
                body: ServerFixture.form([
                    ("grant_type", "client_credentials"), ("client_id", "app"), ("client_secret", f.secret), ("scope", "profile"),
                ]))
            #expect(response.status == .ok)
            let body = try ServerFixture.json(response.body)
            #expect(body["refresh_token"] == nil)
            #expect(body["scope"] as? String == "profile")
        }
    }

    @Test(arguments: TestStore.all) func basicCredentialsAreURLDecoded(_ store: TestStore) async throws {
        let f = try await ServerFixture.make(store)
        try await f.test { client in
            // "app" percent-encoded, as RFC 6749 §2.3.1 has clients do.
            let auth = "Basic " + Data("%61pp:\(f.secret)".utf8).base64EncodedString()
            let response = try await client.execute(
                uri: "/token", method: .post, headers: f.tokenHeaders(auth: auth), body: ServerFixture.form([("grant_type", "client_credentials")]))
            #expect(response.status == .ok)
        }
    }

    @Test(arguments: [
        ("wrong secret", "invalid_client", 401),
        ("no auth", "invalid_client", 401),
        ("both methods", "invalid_request", 400),
        ("repeated", "invalid_request", 400),
        ("json body", "invalid_request", 400),
        ("unknown grant", "unsupported_grant_type", 400),
        ("no grant", "invalid_request", 400),
        ("bad scope", "invalid_scope", 400),
        ("bad code", "invalid_grant", 400),
        ("bad encoding", "invalid_request", 400),
    ])
    func errorsFollowRFC6749Section5_2(_ scenario: String, _ error: String, _ status: Int) async throws {
        let f = try await ServerFixture.make()
        var headers = f.tokenHeaders()
        var body = "grant_type=client_credentials"
        switch scenario {
        case "wrong secret": headers[.authorization] = "Basic " + Data("app:nope".utf8).base64EncodedString()
        case "no auth": headers[.authorization] = nil
        case "both methods": body += "&client_secret=\(f.secret)"
        case "repeated": body += "&grant_type=client_credentials"
        case "json body": headers[.contentType] = "application/json"; body = "{\"grant_type\":\"client_credentials\"}"
        case "unknown grant": body = "grant_type=magic"
        case "no grant": body = "scope=profile"
        case "bad scope": body += "&scope=admin"
        case "bad code": body = "grant_type=authorization_code&code=nope&redirect_uri=https%3A%2F%2Fapp.example%2Fcb"
        case "bad encoding": body += "&scope=%E0%A4"
        default: Issue.record("unknown scenario")
        }
        let requestBody = body
        let requestHeaders = headers
        try await f.test { client in
            let response = try await client.execute(uri: "/token", method: .post, headers: requestHeaders, body: ByteBuffer(string: requestBody))
            #expect(response.status.code == status)
            #expect(try ServerFixture.json(response.body)["error"] as? String == error)
            #expect(response.headers[.cacheControl] == "no-store")
            if status == 401 { #expect(response.headers[.wwwAuthenticate]?.hasPrefix("Basic") == true) }
        }
    }

    @Test(arguments: TestStore.all) func oversizedBodiesAreRefused(_ store: TestStore) async throws {
        let f = try await ServerFixture.make(store)
        try await f.test { client in
            let body = ByteBuffer(string: "grant_type=client_credentials&pad=" + String(repeating: "a", count: 70_000))
            let response = try await client.execute(uri: "/token", method: .post, headers: f.tokenHeaders(), body: body)
            #expect(response.status == .contentTooLarge)
        }
    }
}
