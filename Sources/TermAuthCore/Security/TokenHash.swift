import Crypto
import Foundation

/// What the store keeps instead of a token, code or handle, and looks it up by: SHA-256 of
/// the whole value, so no comparison of the secret itself ever happens.
///
/// A value minted by `RandomToken.sequentialSecret()` starts with its issue time, and that
/// time, six bytes, leads its hash: indexes keyed by these hashes then grow at their end, as
/// values are issued, instead of each insert dirtying a random page (which made every write
/// cost more as the tables grew). Values of any other shape, such as tokens issued before this
/// format, hash to the bare SHA-256 and are found as before.
public struct TokenHash: Sendable, Hashable {
    public let bytes: Data

    public init(bytes: Data) { self.bytes = bytes }

    public init(of secret: String) {
        var secret = secret
        let digest = secret.withUTF8 { SHA256.hash(data: UnsafeRawBufferPointer($0)) }
        guard let prefix = RandomToken.issueTimePrefix(of: secret) else {
            self.bytes = Data(digest)
            return
        }
        var bytes = Data(capacity: prefix.count + SHA256.byteCount)
        bytes.append(contentsOf: prefix)
        bytes.append(contentsOf: digest)
        self.bytes = bytes
    }

    /// A JWT access token is stored under its `jti` (RFC 9068 §2.2), hashed apart from any
    /// opaque value: the `jti` that every holder of the JWT can read is no bearer token itself.
    public init(jti: String) {
        let digest = SHA256.hash(data: Data(("jwt access token " + jti).utf8))
        var bytes = Data(RandomToken.issueTimePrefix(of: jti) ?? [])
        bytes.append(contentsOf: digest)
        self.bytes = bytes
    }

    public var hex: String { bytes.map { String(format: "%02x", $0) }.joined() }
}
