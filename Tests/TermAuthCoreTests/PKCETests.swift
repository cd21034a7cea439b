import Testing
@testable import TermAuthCore

@Suite struct PKCETests {
    @Test func rfc7636AppendixBVector() throws {
        #expect(PKCE.challenge(for: Fixture.verifier, method: .s256) == Fixture.challenge)
        try PKCE.verify(verifier: Fixture.verifier, challenge: Fixture.challenge, method: .s256)
    }

    @Test func wrongVerifierIsRejected() {
        #expect(throws: TermAuthError.pkceMismatch) {
            try PKCE.verify(verifier: String(repeating: "a", count: 43), challenge: Fixture.challenge, method: .s256)
        }
    }

    /// git-credential-oauth sends standard base64 (+ / =), outside RFC 7636's charset.
    @Test func standardBase64VerifierIsAccepted() throws {
        let verifier = "ab+/cdEFghIJklMNopQRstUVwxYZ0123456789+/abcd="
        let challenge = PKCE.challenge(for: verifier, method: .s256)
        #expect(PKCE.isAcceptableVerifier(verifier))
        #expect(throws: Never.self) { try PKCE.verify(verifier: verifier, challenge: challenge, method: .s256) }
    }

    @Test(arguments: [
        String(repeating: "a", count: 42), String(repeating: "a", count: 129), String(repeating: "a", count: 42) + " ",
        String(repeating: "é", count: 43),
    ])
    func malformedVerifiersAreRejected(_ verifier: String) {
        #expect(!PKCE.isAcceptableVerifier(verifier))
    }

    @Test func s256ChallengeMustBe43Base64URLCharacters() {
        #expect(PKCE.isAcceptableChallenge(Fixture.challenge, method: .s256))
        #expect(!PKCE.isAcceptableChallenge("short", method: .s256))
        #expect(!PKCE.isAcceptableChallenge(String(Fixture.challenge.dropLast()) + "*", method: .s256))
    }
}

@Suite struct RandomTokenTests {
    @Test func valuesNeverLookLikeCommandLineOptions() {
        for _ in 0..<2000 {
            let secret = RandomToken.secret()
            let id = RandomToken.identifier()
            #expect(!secret.hasPrefix("-") && !secret.hasPrefix("_") && secret.count == 43)
            #expect(!id.hasPrefix("-") && !id.hasPrefix("_") && id.count == 22)
        }
    }
}
