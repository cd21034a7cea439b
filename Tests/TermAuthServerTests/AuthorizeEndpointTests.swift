import Foundation
import HTTPTypes
import HummingbirdTesting
import TermAuthCore
import TermAuthTestSupport
import Testing

@Suite struct AuthorizeEndpointTests {
    @Test(arguments: TestStore.all) func nonBrowserAgentIsHeldUntilApprovalThenRedirectedWithCodeAndState(_ store: TestStore) async throws {
        let f = try await ServerFixture.make(store)
        try await f.test { client in
            async let approval: Void = f.approvePending()
            let response = try await client.execute(uri: ServerFixture.authorizeQuery, method: .get)
            try await approval
            #expect(response.status == .found)
            let location = try #require(response.headers[.location])
            #expect(location.hasPrefix("https://app.example/cb?code="))
            #expect(location.hasSuffix("&state=xyz%20%2B&iss=http%3A%2F%2Fauth.test"))
            #expect(ServerFixture.query(location)["state"] == "xyz +")
            #expect(ServerFixture.query(location)["iss"] == "http://auth.test", "RFC 9207: the answer names its issuer")
            #expect(response.headers[.cacheControl] == "no-store")
        }
    }

    @Test(arguments: TestStore.all) func errorRedirectsNameTheIssuerAndMetadataSaysSo(_ store: TestStore) async throws {
        let f = try await ServerFixture.make(store)
        try await f.test { client in
            let bad = try await client.execute(uri: ServerFixture.authorizeQuery + "&scope=nonexistent", method: .get)
            #expect(bad.status == .found)
            let query = ServerFixture.query(bad.headers[.location])
            #expect(query["error"] == "invalid_request" || query["error"] == "invalid_scope")
            #expect(query["iss"] == "http://auth.test")
            let metadata = try await client.execute(uri: "/.well-known/oauth-authorization-server", method: .get)
            #expect(try ServerFixture.json(metadata.body)["authorization_response_iss_parameter_supported"] as? Bool == true)
        }
    }

    @Test(arguments: TestStore.all) func browserGetsTheApprovalCodePageThenTheRedirect(_ store: TestStore) async throws {
        let f = try await ServerFixture.make(store)
        try await f.test { client in
            let page = try await client.execute(uri: ServerFixture.authorizeQuery, method: .get, headers: [.accept: "text/html"])
            #expect(page.status == .ok)
            let html = String(buffer: page.body)
            let code = try #require(try await f.termAuth.flow.pendingRequests().first?.approvalCode)
            #expect(html.contains(code))
            #expect(html.contains("termauth approve \(code)"))
            #expect(page.headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true)
            let refresh = try #require(html.range(of: "url=/authorize/continue?handle=").map { html[$0.upperBound...].prefix { $0 != "\"" } })

            let stillWaiting = try await client.execute(uri: "/authorize/continue?handle=\(refresh)", method: .get)
            #expect(stillWaiting.status == .ok)
            try await f.approvePending()
            let done = try await client.execute(uri: "/authorize/continue?handle=\(refresh)", method: .get)
            #expect(done.status == .found)
            #expect(ServerFixture.query(done.headers[.location])["code"] != nil)
            let again = try await client.execute(uri: "/authorize/continue?handle=\(refresh)", method: .get)
            #expect(again.status == .ok)
            #expect(String(buffer: again.body).contains("Already completed"))
        }
    }

    @Test(arguments: [
        ("/authorize?response_type=code&client_id=nobody&redirect_uri=https%3A%2F%2Fapp.example%2Fcb", "invalid_client"),
        ("/authorize?response_type=code&client_id=app&redirect_uri=https%3A%2F%2Fevil.example%2Fcb", "invalid_request"),
        ("/authorize?response_type=code&redirect_uri=https%3A%2F%2Fapp.example%2Fcb", "invalid_request"),
        ("/authorize?response_type=code&client_id=app&client_id=app", "invalid_request"),
        ("/authorize?response_type=code&client_id=app&redirect_uri=%ZZ", "invalid_request"),
    ])
    func untrustedRedirectTargetsGetAnErrorAndNoRedirect(_ uri: String, _ error: String) async throws {
        let f = try await ServerFixture.make()
        try await f.test { client in
            let response = try await client.execute(uri: uri, method: .get)
            #expect(response.status.code >= 400)
            #expect(response.headers[.location] == nil)
            #expect(try ServerFixture.json(response.body)["error"] as? String == error)
            let page = try await client.execute(uri: uri, method: .get, headers: [.accept: "text/html"])
            #expect(page.headers[.location] == nil)
            #expect(String(buffer: page.body).contains("Authorization error"))
        }
    }

    @Test(arguments: [
        ("response_type=code%20id_token", "unsupported_response_type"), // hybrid: not offered
        ("response_type=", "invalid_request"),
        ("scope=admin", "invalid_scope"),
        ("code_challenge=", "invalid_request"),
        ("code_challenge_method=plain", "invalid_request"),
        ("code_challenge=short", "invalid_request"),
        ("state=again", "invalid_request"),
    ])
    func otherErrorsAreRedirectedWithState(_ change: String, _ error: String) async throws {
        let f = try await ServerFixture.make()
        let key = String(change.prefix { $0 != "=" })
        let base = ServerFixture.authorizeQuery.dropFirst("/authorize?".count).split(separator: "&")
        // Replace the parameter, except state, which is sent a second time.
        let kept = key == "state" ? Array(base) : base.filter { !$0.hasPrefix(key + "=") }
        let uri = "/authorize?" + (kept + [Substring(change)]).joined(separator: "&")
        let target = uri
        try await f.test { client in
            let response = try await client.execute(uri: target, method: .get)
            #expect(response.status == .found)
            let query = ServerFixture.query(response.headers[.location])
            #expect(query["error"] == error)
            #expect(query["state"] == "xyz +")
            #expect(response.headers[.location]?.hasPrefix("https://app.example/cb?") == true)
        }
    }
}
