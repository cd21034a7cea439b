import Foundation

/// Secrets come from the system CSPRNG (getrandom on Linux), eight bytes per call.
public enum RandomToken {
    public static func bytes(_ count: Int) -> Data {
        var generator = SystemRandomNumberGenerator()
        var out = Data(capacity: count + 8)
        while out.count < count {
            withUnsafeBytes(of: generator.next() as UInt64) { out.append(contentsOf: $0) }
        }
        return out.prefix(count)
    }

    /// 256 bits, base64url: access and refresh tokens, codes, client secrets.
    public static func secret() -> String { Base64URL.encode(bytes(32)) }

    /// A time-ordered identifier (milliseconds in hex, then 80 random bits), for keys that are
    /// indexed: new rows land at the end of the index instead of on a random page.
    public static func sequentialIdentifier() -> String {
        let millis = UInt64(Date().timeIntervalSince1970 * 1000)
        let hex = String(millis, radix: 16)
        return String(repeating: "0", count: max(0, 12 - hex.count)) + hex + Base64URL.encode(bytes(10))
    }

    /// 128 bits: identifiers that need to be unguessable but not secret.
    public static func identifier() -> String { Base64URL.encode(bytes(16)) }
}
