import Crypto
import Foundation
import Testing
@testable import TermAuthCore
import TermAuthTestSupport

@Suite struct TokenHashTests {
    @Test func sequentialSecretsAreBase64URLWithTheirIssueTimeFirst() throws {
        let before = UInt64(Date().timeIntervalSince1970 * 1000)
        let value = RandomToken.sequentialSecret()
        let after = UInt64(Date().timeIntervalSince1970 * 1000)
        #expect(value.count == 51)
        #expect(value.utf8.allSatisfy { Base64URL.sextet($0) != nil })
        #expect(!value.hasPrefix("-") && !value.hasPrefix("_"))
        let decoded = try #require(Base64URL.decode(value))
        #expect(decoded.count == 38)
        let millis = decoded.prefix(6).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        #expect((before...after).contains(millis))
    }

    /// The hand-written encoder agrees with Foundation's base64 for every length and tail.
    @Test func base64URLMatchesFoundation() {
        for length in 0..<70 {
            let bytes = RandomToken.bytes(length)
            let expected = bytes.base64EncodedString().replacingOccurrences(of: "+", with: "-")
                .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
            #expect(Base64URL.encode(bytes) == expected)
            #expect(Base64URL.encode([UInt8](bytes)) == expected)
            #expect(Base64URL.decode(expected) == bytes)
        }
        #expect(Base64URL.encode(Data([0xFB, 0xFF, 0xBF])) == "-_-_")
    }

    /// The point of the format: hashes of values issued later sort later, so indexes grow at their end.
    @Test func hashesOfLaterValuesSortLater() async throws {
        var previous = TokenHash(of: RandomToken.sequentialSecret()).bytes
        for _ in 0..<3 {
            try await Task.sleep(for: .milliseconds(2))
            let next = TokenHash(of: RandomToken.sequentialSecret()).bytes
            #expect(previous.lexicographicallyPrecedes(next))
            previous = next
        }
    }

    @Test func hashIsTheIssueTimeThenSHA256OfTheWholeValue() throws {
        let value = RandomToken.sequentialSecret()
        let hash = TokenHash(of: value).bytes
        #expect(hash.count == 38)
        #expect(hash.prefix(6) == Base64URL.decode(value)!.prefix(6))
        #expect(hash.suffix(32) == Data(SHA256.hash(data: Data(value.utf8))))
    }

    /// Tokens issued before the format (43 characters) and anything else a client sends hash as before.
    @Test(arguments: [
        RandomToken.secret(),
        "not a token",
        "",
        String(repeating: "A", count: 50),
        "*" + String(RandomToken.sequentialSecret().dropFirst()), // right length, not base64url up front
        "授权" + String(RandomToken.sequentialSecret().dropFirst(6)),
    ])
    func otherValuesHashToBareSHA256(_ value: String) {
        #expect(TokenHash(of: value).bytes == Data(SHA256.hash(data: Data(value.utf8))))
    }

    /// Changing the time part changes the whole hash, so a forged time finds nothing.
    @Test func theTimePartIsCoveredByTheHash() {
        let value = RandomToken.sequentialSecret()
        let forged = "B" + value.dropFirst()
        let (a, b) = (TokenHash(of: value).bytes, TokenHash(of: String(forged)).bytes)
        #expect(a.suffix(32) != b.suffix(32))
    }

    /// A token stored under the old format's hash (bare SHA-256) is still found and honoured.
    @Test(arguments: TestStore.all) func tokensIssuedBeforeTheFormatStillWork(_ store: TestStore) async throws {
        let f = try await Fixture(store)
        _ = try await f.seeded()
        let legacy = RandomToken.secret()
        let now = f.termAuth.clock.now()
        try await f.termAuth.store.insertTokens(
            [
                Token(
                    hash: TokenHash(of: legacy), kind: .access, clientID: "app", userID: nil, scopes: ScopeSet(["profile"]),
                    issuedAt: now, expiresAt: now + 600, family: RandomToken.sequentialIdentifier())
            ], audit: nil)
        #expect(TokenHash(of: legacy).bytes.count == 32)
        let access = try await f.termAuth.resources.authorize(accessToken: legacy, requiredScope: "profile")
        #expect(access.token.clientID == "app")
        #expect(try await f.termAuth.revocation.revoke(legacy, by: nil) == 1)
        await #expect(throws: TermAuthError.invalidAccessToken) {
            try await f.termAuth.resources.authorize(accessToken: legacy, requiredScope: "profile")
        }
    }
}
