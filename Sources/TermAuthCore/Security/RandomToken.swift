import Foundation

/// Secrets come from the system CSPRNG (getrandom on Linux).
public enum RandomToken {
    public static func bytes(_ count: Int) -> Data {
        var generator = SystemRandomNumberGenerator()
        return Data((0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }

    /// 256 bits, base64url: access and refresh tokens, codes, client secrets.
    public static func secret() -> String { encode(bytes(32)) }

    /// 128 bits: identifiers that need to be unguessable but not secret.
    public static func identifier() -> String { encode(bytes(16)) }

    private static func encode(_ data: Data) -> String { Base64URL.encode(data) }
}
