import Foundation
import Testing
@testable import TermAuthCore

/// The one-pass claims writer: what it writes reads back as the same claims, and anything it
/// does not write itself goes to `JSONEncoder` whole.
@Suite struct ClaimsJSONTests {
    @Test func anIDTokenReadsBackAsTheSameClaims() throws {
        var claims = IDTokenClaims(
            iss: "https://auth.example/tenant", sub: "u_01", aud: "app", exp: 2_000_000_000, iat: 1_999_999_400, authTime: -1,
            nonce: "n \"quoted\" \\ back", atHash: "77QmUPtjPfzWtF2AnpK9RQ", amr: ["pwd", "pop"], azp: "app")
        claims.name = "Zoë 授权 \u{1}\u{1F}\t\n 🚀"
        claims.emailVerified = false
        claims.updatedAt = 0
        let json = try ClaimsJSON.encode(claims)
        #expect(try JSONDecoder().decode(IDTokenClaims.self, from: Data(json)) == claims)
        let text = String(decoding: json, as: UTF8.self)
        #expect(text.contains(#""exp":2000000000,"#) && text.contains(#""auth_time":-1"#))
        #expect(text.contains(#""amr":["pwd","pop"]"#))
        #expect(text.contains(#"\u0001\u001f\t"#) == false && text.contains(#"\u0001\u001f\u0009\u000a"#))
        #expect(text.contains(#"n \"quoted\" \\ back"#))
        #expect(text.contains("授权") && text.contains("🚀"))
        // Absent claims are left out, never null.
        #expect(!text.contains("null") && !text.contains("email\""))
    }

    @Test func anAccessTokenIsWrittenExactly() throws {
        let claims = AccessTokenClaims(
            iss: "http://127.0.0.1:8080", exp: 20, aud: "http://127.0.0.1:8080/resource", sub: "svc", clientID: "svc", iat: 10, jti: "j",
            scope: nil, authTime: nil)
        let text = String(decoding: try ClaimsJSON.encode(claims), as: UTF8.self)
        #expect(
            text
                == #"{"iss":"http://127.0.0.1:8080","exp":20,"aud":"http://127.0.0.1:8080/resource","sub":"svc","iat":10,"jti":"j","client_id":"svc"}"#
        )
    }

    struct Measured: Codable, Equatable {
        var ratio: Double
        var at: Date
    }

    struct Nested: Codable, Equatable {
        struct Address: Codable, Equatable { var street: String }
        var name: String
        var address: Address
        var tags: [[String]]
    }

    @Test func whatItDoesNotWriteGoesToJSONEncoderWhole() throws {
        let measured = Measured(ratio: 0.25, at: Date(timeIntervalSince1970: 7))
        let written = try ClaimsJSON.encode(measured)
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        #expect(try decoder.decode(Measured.self, from: Data(written)) == measured)
        // JSONEncoder's own forms: the double as written, the date as seconds.
        let fields = try #require(try JSONSerialization.jsonObject(with: Data(written)) as? [String: Any])
        #expect(fields["ratio"] as? Double == 0.25 && fields["at"] as? Int == 7)
        let nested = Nested(name: "n", address: .init(street: "s"), tags: [["a"], []])
        #expect(try JSONDecoder().decode(Nested.self, from: Data(try ClaimsJSON.encode(nested))) == nested)
    }
}
