import Foundation
import Testing
@testable import TermAuthCore
@testable import TermAuthServer

/// The hot responses are written by hand; they must say exactly what JSONEncoder would.
@Suite struct HandWrittenJSONTests {
    private static func object(_ text: String) throws -> NSDictionary {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? NSDictionary)
    }

    private static let hostile = ["plain", "quote \" back\\slash", "new\nline\ttab\u{01}", "授权 ✓", "a/b", ""]

    @Test(arguments: hostile) func introspectionMatchesTheEncoder(_ text: String) throws {
        let result = TokenIntrospection.Result(
            active: true, scope: text, clientID: text, username: text, subject: text, tokenType: "Bearer",
            expiresAt: 1_900_000_000, issuedAt: -5)
        let body = IntrospectionBody(result, issuer: text)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let encoded = String(decoding: try encoder.encode(body), as: UTF8.self)
        #expect(try Self.object(body.json) == Self.object(encoded))
        #expect(body.json == encoded, "same bytes, not only the same meaning")
    }

    @Test func inactiveIntrospectionIsOnlyActiveFalse() throws {
        let body = IntrospectionBody(TokenIntrospection.Result.inactive, issuer: "http://issuer")
        #expect(body.json == #"{"active":false}"#)
    }

    @Test(arguments: hostile) func tokenResponseParses(_ text: String) throws {
        let response = TokenResponse(accessToken: "a" + text, expiresIn: 3600, refreshToken: text, scope: ScopeSet(["b", "a"]))
        let object = try Self.object(TokenResponseBody(response).json)
        #expect(object["access_token"] as? String == "a" + text)
        #expect(object["refresh_token"] as? String == text)
        #expect(object["token_type"] as? String == "Bearer")
        #expect(object["expires_in"] as? Int == 3600)
        #expect(object["scope"] as? String == "a b")
    }

    @Test func tokenResponseLeavesOutWhatIsAbsent() {
        let response = TokenResponse(accessToken: "t", expiresIn: 60, refreshToken: nil, scope: ScopeSet([]))
        #expect(TokenResponseBody(response).json == #"{"access_token":"t","token_type":"Bearer","expires_in":60}"#)
    }
}
