import Crypto
import Foundation

/// A client secret at rest: HMAC-SHA256 keyed by a per-client random salt.
/// Secrets are TermAuth-generated with 256 bits of entropy, so a slow hash would buy
/// nothing but lost throughput; the salt keeps equal secrets from hashing alike.
public struct SecretHash: Sendable, Equatable {
    public let salt: Data
    public let mac: Data
    /// HMAC already keyed with the salt. Keying hashes the key twice, which was half of every
    /// check; clients are cached, so each check now only hashes the candidate.
    private let keyed: HMAC<SHA256>

    public init(salt: Data, mac: Data) {
        self.salt = salt
        self.mac = mac
        self.keyed = HMAC(key: SymmetricKey(data: salt))
    }

    public static func == (a: SecretHash, b: SecretHash) -> Bool { a.salt == b.salt && a.mac == b.mac }

    public static func make(for secret: String) -> SecretHash {
        let salt = RandomToken.bytes(16)
        return SecretHash(salt: salt, mac: compute(secret, salt: salt))
    }

    public func matches(_ candidate: String) -> Bool {
        var hmac = keyed
        var candidate = candidate
        candidate.withUTF8 { hmac.update(data: UnsafeRawBufferPointer($0)) }
        return hmac.finalize().withUnsafeBytes { ConstantTime.equal($0, mac) }
    }

    private static func compute(_ secret: String, salt: Data) -> Data {
        Data(HMAC<SHA256>.authenticationCode(for: Data(secret.utf8), using: SymmetricKey(data: salt)))
    }

    /// `salt$mac`, both base64url, for storage.
    public var encoded: String { "\(Base64URL.encode(salt))$\(Base64URL.encode(mac))" }

    public init?(encoded: String) {
        let parts = encoded.split(separator: "$")
        guard parts.count == 2, let salt = Base64URL.decode(String(parts[0])), let mac = Base64URL.decode(String(parts[1])) else {
            return nil
        }
        self.init(salt: salt, mac: mac)
    }
}
