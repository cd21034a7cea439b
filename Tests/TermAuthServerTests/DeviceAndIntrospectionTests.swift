import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TermAuthCore
import TermAuthTestSupport
import Testing

@Suite struct DeviceAndIntrospectionTests {
    @Test(arguments: TestStore.all) func deviceAuthorizationThenPollingThroughTheTokenEndpoint(_ store: TestStore) async throws {
        let f = try await ServerFixture.make(store)
        _ = try await f.termAuth.admin.addClient(.init(id: "tv", name: "TV", isPublic: true, redirectURIs: [], grantTypes: [.deviceCode]))
        try await f.test { client in
            let started = try await client.execute(
                uri: "/device_authorization", method: .post, headers: ServerFixture.formHeaders,
                body: ServerFixture.form([("client_id", "tv"), ("scope", "profile")]))
            #expect(started.status == .ok)
            let body = try ServerFixture.json(started.body)
            let deviceCode = try #require(body["device_code"] as? String)
            let userCode = try #require(body["user_code"] as? String)
            #expect(ApprovalCode.normalize(userCode) == userCode)
            #expect(body["verification_uri"] as? String == "http://auth.test/device")
            #expect(body["verification_uri_complete"] as? String == "http://auth.test/device?user_code=\(userCode)")
            #expect(body["expires_in"] as? Int == 600 && body["interval"] as? Int == 5)

            let poll = ServerFixture.form([("grant_type", GrantType.deviceCode.rawValue), ("device_code", deviceCode), ("client_id", "tv")])
            let first = try await client.execute(uri: "/token", method: .post, headers: ServerFixture.formHeaders, body: poll)
            #expect(first.status == .badRequest)
            #expect(try ServerFixture.json(first.body)["error"] as? String == "authorization_pending")
            let tooSoon = try await client.execute(uri: "/token", method: .post, headers: ServerFixture.formHeaders, body: poll)
            #expect(try ServerFixture.json(tooSoon.body)["error"] as? String == "slow_down")

            let pending = try await f.termAuth.flow.pending(approvalCode: userCode, source: "test")
            let alice = try await f.termAuth.flow.signIn(username: "alice", password: ServerFixture.password, for: pending)
            try await f.termAuth.flow.approve(pending, user: alice, scopes: nil, remember: false)
            let granted = try await client.execute(uri: "/token", method: .post, headers: ServerFixture.formHeaders, body: poll)
            #expect(granted.status == .ok)
            #expect(try ServerFixture.json(granted.body)["scope"] as? String == "profile")

            let page = try await client.execute(uri: "/device?user_code=\(userCode)", method: .get)
            #expect(String(buffer: page.body).contains("termauth device \(userCode)"))
        }
    }

    @Test(arguments: TestStore.all) func introspectionAndRevocationOverHTTP(_ store: TestStore) async throws {
        let f = try await ServerFixture.make(store)
        let issued = try await f.termAuth.admin.issueToken(clientID: "app", username: "alice", scopes: ScopeSet(["profile"]), ttl: nil)
        try await f.test { client in
            let introspect = try await client.execute(
                uri: "/introspect", method: .post, headers: f.tokenHeaders(), body: ServerFixture.form([("token", issued.accessToken)]))
            #expect(introspect.status == .ok)
            let body = try ServerFixture.json(introspect.body)
            #expect(body["active"] as? Bool == true)
            #expect(body["username"] as? String == "alice" && body["client_id"] as? String == "app")
            #expect(body["iss"] as? String == "http://auth.test" && body["token_type"] as? String == "Bearer")
            #expect(body["exp"] is Int && body["iat"] is Int && body["sub"] is String)

            let unauthenticated = try await client.execute(
                uri: "/introspect", method: .post, headers: ServerFixture.formHeaders, body: ServerFixture.form([("token", issued.accessToken)]))
            #expect(unauthenticated.status == .unauthorized)

            let revoke = try await client.execute(
                uri: "/revoke", method: .post, headers: f.tokenHeaders(),
                body: ServerFixture.form([("token", issued.accessToken), ("token_type_hint", "access_token")]))
            #expect(revoke.status == .ok)
            let unknown = try await client.execute(
                uri: "/revoke", method: .post, headers: f.tokenHeaders(), body: ServerFixture.form([("token", "nope")]))
            #expect(unknown.status == .ok)

            let after = try await client.execute(
                uri: "/introspect", method: .post, headers: f.tokenHeaders(), body: ServerFixture.form([("token", issued.accessToken)]))
            #expect(String(buffer: after.body) == "{\"active\":false}")
        }
        // A client not registered for introspection learns nothing, and is told why.
        let (_, otherSecret) = try await f.termAuth.admin.addClient(.init(id: "other", name: "Other", redirectURIs: ["https://o.example/cb"]))
        try await f.test { client in
            var headers = ServerFixture.formHeaders
            headers[.authorization] = "Basic " + Data("other:\(otherSecret!)".utf8).base64EncodedString()
            let refused = try await client.execute(
                uri: "/introspect", method: .post, headers: headers, body: ServerFixture.form([("token", issued.accessToken)]))
            #expect(refused.status == .badRequest)
            #expect(try ServerFixture.json(refused.body)["error"] as? String == "unauthorized_client")
        }
    }

    @Test(arguments: TestStore.all) func metadataListsTheNewEndpointsAndOnlyEnabledGrants(_ store: TestStore) async throws {
        let f = try await ServerFixture.make(store)
        try await f.test { client in
            let m = try ServerFixture.json(try await client.execute(uri: "/.well-known/oauth-authorization-server", method: .get).body)
            #expect(m["device_authorization_endpoint"] as? String == "http://auth.test/device_authorization")
            #expect(m["introspection_endpoint"] as? String == "http://auth.test/introspect")
            #expect(m["revocation_endpoint"] as? String == "http://auth.test/revoke")
            #expect(m["response_types_supported"] as? [String] == ["code"])
            #expect((m["grant_types_supported"] as? [String])?.contains("password") == false)
        }
        _ = try await f.termAuth.admin.addClient(
            .init(id: "spa", name: "SPA", isPublic: true, redirectURIs: ["https://s.example/cb"], grantTypes: [.implicit]))
        _ = try await f.termAuth.admin.addClient(.init(id: "legacy", name: "Legacy", redirectURIs: [], grantTypes: [.password]))
        try await f.test { client in
            let m = try ServerFixture.json(try await client.execute(uri: "/.well-known/oauth-authorization-server", method: .get).body)
            #expect(m["response_types_supported"] as? [String] == ["code", "token", "id_token", "id_token token"])
            #expect((m["grant_types_supported"] as? [String])?.contains("password") == true)
        }
    }
}
