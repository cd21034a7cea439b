import Foundation
import HTTPTypes
import HummingbirdTesting
import TermAuthCore
import TermAuthTestSupport
import Testing

@Suite struct ResourceAndMetadataTests {
    @Test(arguments: TestStore.all) func bearerErrorsFollowRFC6750(_ store: TestStore) async throws {
        let f = try await ServerFixture.make(store)
        let emailOnly = try await f.termAuth.admin.issueToken(clientID: "app", username: "alice", scopes: ScopeSet(["email"]), ttl: nil)
        let expiring = try await f.termAuth.admin.issueToken(clientID: "app", username: "alice", scopes: ScopeSet(["profile"]), ttl: 1)
        try await f.test { client in
            let none = try await client.execute(uri: "/resource", method: .get)
            #expect(none.status == .unauthorized)
            #expect(none.headers[.wwwAuthenticate]?.hasPrefix("Bearer realm=\"termauth\"") == true)
            #expect(none.headers[.wwwAuthenticate]?.contains("error=") == false)

            let malformed = try await client.execute(uri: "/resource", method: .get, headers: [.authorization: "Bearer"])
            #expect(malformed.status == .badRequest)
            #expect(malformed.headers[.wwwAuthenticate]?.contains("error=\"invalid_request\"") == true)

            let unknown = try await client.execute(uri: "/resource", method: .get, headers: [.authorization: "Bearer nope"])
            #expect(unknown.status == .unauthorized)
            #expect(unknown.headers[.wwwAuthenticate]?.contains("error=\"invalid_token\"") == true)

            let narrow = try await client.execute(uri: "/resource", method: .get, headers: [.authorization: "Bearer \(emailOnly.accessToken)"])
            #expect(narrow.status == .forbidden)
            #expect(narrow.headers[.wwwAuthenticate]?.contains("error=\"insufficient_scope\", scope=\"profile\"") == true)

            try await Task.sleep(for: .milliseconds(2100))
            let expired = try await client.execute(uri: "/resource", method: .get, headers: [.authorization: "Bearer \(expiring.accessToken)"])
            #expect(expired.status == .unauthorized)
        }
    }

    @Test(arguments: TestStore.all) func metadataDescribesTheServer(_ store: TestStore) async throws {
        let f = try await ServerFixture.make(store)
        try await f.test { client in
            let response = try await client.execute(uri: "/.well-known/oauth-authorization-server", method: .get)
            #expect(response.status == .ok)
            let m = try ServerFixture.json(response.body)
            #expect(m["issuer"] as? String == "http://auth.test")
            #expect(m["authorization_endpoint"] as? String == "http://auth.test/authorize")
            #expect(m["token_endpoint"] as? String == "http://auth.test/token")
            #expect(m["grant_types_supported"] as? [String] == ["authorization_code", "client_credentials", "refresh_token"])
            #expect(m["code_challenge_methods_supported"] as? [String] == ["S256"])
            // The OpenID scopes exist from the start (migration v5).
            #expect(m["scopes_supported"] as? [String] == ["email", "offline_access", "openid", "profile"])
            #expect(m["jwks_uri"] as? String == "http://auth.test/jwks.json")
            #expect(m["userinfo_endpoint"] as? String == "http://auth.test/userinfo")
            #expect(m["id_token_signing_alg_values_supported"] as? [String] == ["RS256", "ES256"])
            #expect(m["request_uri_parameter_supported"] as? Bool == false)

            // Discovery's document is the same one, byte for byte.
            let openid = try await client.execute(uri: "/.well-known/openid-configuration", method: .get)
            #expect(String(buffer: openid.body) == String(buffer: response.body))

            let health = try await client.execute(uri: "/healthz", method: .get)
            #expect(health.status == .ok)
            #expect(String(buffer: health.body) == "ok")
        }
    }
}
