import Crypto
import CryptoExtras
import Foundation

/// PBKDF2-HMAC-SHA512 (OWASP: ≥ 210,000 rounds). The rounds are stored with each hash,
/// so raising the cost applies to new passwords without breaking old ones.
public struct PasswordHasher: Sendable {
    public static let recommendedRounds = 210_000
    /// Below this the hash is a formality; tests may go this low, nothing lower.
    public static let minimumRounds = 1_000

    public let rounds: Int

    public init(rounds: Int = recommendedRounds) {
        self.rounds = max(rounds, Self.minimumRounds)
    }

    public func hash(_ password: String) -> String {
        let salt = RandomToken.bytes(16)
        let derived = Self.derive(password, salt: salt, rounds: rounds)
        return "pbkdf2-sha512$\(rounds)$\(Base64URL.encode(salt))$\(Base64URL.encode(derived))"
    }

    public func verify(_ password: String, against stored: String) -> Bool {
        let parts = stored.split(separator: "$").map(String.init)
        guard parts.count == 4, parts[0] == "pbkdf2-sha512", let rounds = Int(parts[1]), rounds >= Self.minimumRounds,
            let salt = Base64URL.decode(parts[2]), let expected = Base64URL.decode(parts[3])
        else { return false }
        return ConstantTime.equal(Self.derive(password, salt: salt, rounds: rounds), expected)
    }

    /// Spends the same time as a real check, so an unknown username is not faster to refuse.
    /// Always false, so it can stand in for `verify`.
    @discardableResult
    public func burn(_ password: String) -> Bool {
        _ = Self.derive(password, salt: Data(count: 16), rounds: rounds)
        return false
    }

    private static func derive(_ password: String, salt: Data, rounds: Int) -> Data {
        // Rounds are bounded by `minimumRounds` above; the library's own floor is for callers without one.
        let key = try? KDF.Insecure.PBKDF2.deriveKey(
            from: Data(password.utf8), salt: salt, using: .sha512, outputByteCount: 32, unsafeUncheckedRounds: rounds
        )
        return key.map { $0.withUnsafeBytes { Data($0) } } ?? Data()
    }
}
