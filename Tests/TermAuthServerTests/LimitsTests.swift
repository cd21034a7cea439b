import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TermAuthCore
import TermAuthTestSupport
import Testing
@testable import TermAuthServer

/// Oversized and overlong requests get a clear 4xx, not a 5xx and not a slow path.
@Suite struct LimitsTests {
    @Test(arguments: TestStore.all) func bodyOver64KiBIs413(_ store: TestStore) async throws {
        let f = try await ServerFixture.make(store)
        try await f.test { client in
            let body = ByteBuffer(string: "grant_type=client_credentials&pad=" + String(repeating: "a", count: 65 * 1024))
            let response = try await client.execute(uri: "/token", method: .post, headers: f.tokenHeaders(), body: body)
            #expect(response.status == .contentTooLarge)
        }
    }

    @Test(arguments: TestStore.all) func tooManyParametersAndOverlongValuesAreInvalidRequest(_ store: TestStore) async throws {
        let f = try await ServerFixture.make(store)
        try await f.test { client in
            let many = (0..<60).map { ("p\($0)", "1") } + [("grant_type", "client_credentials")]
            let response = try await client.execute(uri: "/token", method: .post, headers: f.tokenHeaders(), body: ServerFixture.form(many))
            #expect(response.status == .badRequest)
            #expect(try ServerFixture.json(response.body)["error"] as? String == "invalid_request")

            let long = ServerFixture.authorizeQuery + "&nonce=" + String(repeating: "n", count: 9000)
            let authorize = try await client.execute(uri: long, method: .get)
            #expect(authorize.status == .badRequest)
        }
    }

    @Test(arguments: TestStore.all) func aDeviceCodeIsNotABrowserHandle(_ store: TestStore) async throws {
        let f = try await ServerFixture.make(store)
        _ = try await f.termAuth.admin.addClient(.init(id: "tv", name: "TV", isPublic: true, redirectURIs: [], grantTypes: [.deviceCode]))
        try await f.test { client in
            let codes = try await client.execute(
                uri: "/device_authorization", method: .post, headers: ServerFixture.formHeaders,
                body: ServerFixture.form([("client_id", "tv"), ("scope", "profile")]))
            let deviceCode = try #require(try ServerFixture.json(codes.body)["device_code"] as? String)
            let resumed = try await client.execute(uri: "/authorize/continue?handle=\(FormEncoding.encode(deviceCode))", method: .get)
            let unknown = try await client.execute(uri: "/authorize/continue?handle=nothing-like-this", method: .get)
            #expect(resumed.status == unknown.status && unknown.status.code < 500, "the same answer as for a handle that never existed")
            #expect(!String(buffer: resumed.body).contains("approval code"))
        }
    }

    @Test(arguments: TestStore.all) func servedOpenAPIDocumentIsTheOneInTheRepository(_ store: TestStore) async throws {
        let f = try await ServerFixture.make(store)
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Sources/TermAuthServer/OpenAPI/openapi.json").standardized
        let expected = try Data(contentsOf: source)
        let response = try await f.test { client in try await client.execute(uri: "/openapi.json", method: .get) }
        #expect(response.status == .ok)
        #expect(response.headers[.contentType] == "application/json")
        #expect(Data(buffer: response.body) == expected, "served byte for byte as kept in the repository")
    }
}
