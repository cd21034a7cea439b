import Crypto
import Foundation

/// SHA-256 of a high-entropy token, code or handle: what the store keeps instead of the secret.
/// Lookups go by hash, so no comparison of the secret itself ever happens.
public struct TokenHash: Sendable, Hashable {
    public let bytes: Data

    public init(bytes: Data) { self.bytes = bytes }

    public init(of secret: String) {
        self.bytes = Data(SHA256.hash(data: Data(secret.utf8)))
    }

    public var hex: String { bytes.map { String(format: "%02x", $0) }.joined() }
}
