import Crypto
import Foundation

public enum PKCEMethod: String, Sendable {
    case s256 = "S256"
    case plain = "plain"
}

/// RFC 7636 proof key checks.
public enum PKCE {
    /// RFC 7636 §4.1 asks for unreserved characters, but real clients (git-credential-oauth)
    /// send standard base64; any 43–128 printable ASCII verifier whose hash matches is accepted.
    public static func isAcceptableVerifier(_ verifier: String) -> Bool {
        (43...128).contains(verifier.utf8.count) && verifier.utf8.allSatisfy { (0x21...0x7E).contains($0) }
    }

    /// A challenge is base64url of a SHA-256 (43 characters) for S256, or a verifier itself for plain.
    public static func isAcceptableChallenge(_ challenge: String, method: PKCEMethod) -> Bool {
        switch method {
        case .s256:
            return challenge.utf8.count == 43 && Base64URL.decode(challenge)?.count == 32
        case .plain:
            return isAcceptableVerifier(challenge)
        }
    }

    public static func challenge(for verifier: String, method: PKCEMethod) -> String {
        switch method {
        case .s256: return Base64URL.encode(Data(SHA256.hash(data: Data(verifier.utf8))))
        case .plain: return verifier
        }
    }

    public static func verify(verifier: String, challenge: String, method: PKCEMethod) throws(TermAuthError) {
        guard isAcceptableVerifier(verifier) else { throw .invalidCodeVerifier }
        guard ConstantTime.equal(self.challenge(for: verifier, method: method), challenge) else { throw .pkceMismatch }
    }
}
