import Foundation

/// Secrets come from the system CSPRNG (getentropy, which is getrandom on Linux): one call
/// per value, where the standard library's generator makes a system call per eight bytes.
public enum RandomToken {
    public static func bytes(_ count: Int) -> Data {
        var out = Data(count: count)
        out.withUnsafeMutableBytes { fill($0) }
        return out
    }

    private static func fill(_ buffer: UnsafeMutableRawBufferPointer) {
        precondition(buffer.count <= 256, "getentropy fills at most 256 bytes a call")
        // As SystemRandomNumberGenerator does: no secret may come from anywhere weaker.
        guard getentropy(buffer.baseAddress, buffer.count) == 0 else { fatalError("getentropy failed: \(String(cString: strerror(errno)))") }
    }

    /// Milliseconds since 1970, the leading part of every time-ordered value.
    private static func millisecondsNow() -> UInt64 { UInt64(max(0, Date().timeIntervalSince1970 * 1000)) }

    /// 256 bits, base64url: client secrets, and values nothing looks up by hash.
    public static func secret() -> String { commandLineSafe(32) }

    /// 256 random bits after the issue time in milliseconds (six bytes, eight characters), all
    /// base64url: access and refresh tokens, codes and request handles, whose hashes are indexed
    /// (see `TokenHash`). The time tells only when the value was issued, which its holder
    /// already knows. It also keeps the value command-line safe: no "-" or "_" can lead it
    /// before the year 10611.
    public static func sequentialSecret() -> String {
        // Built on the stack: this runs for every token and code issued.
        var value: (UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0)
        return withUnsafeMutableBytes(of: &value) { raw in
            let millis = millisecondsNow()
            for i in 0..<issueTimeBytes { raw[i] = UInt8(truncatingIfNeeded: millis >> (8 * (issueTimeBytes - 1 - i))) }
            fill(UnsafeMutableRawBufferPointer(rebasing: raw[issueTimeBytes..<issueTimeBytes + 32]))
            return Base64URL.encode(UnsafeRawBufferPointer(rebasing: raw[0..<issueTimeBytes + 32]))
        }
    }

    static let issueTimeBytes = 6
    /// 6 + 32 bytes in base64url without padding.
    static let sequentialSecretLength = 51

    /// The issue-time bytes of a value shaped like `sequentialSecret()`'s, else nil.
    static func issueTimePrefix(of value: String) -> [UInt8]? {
        var utf8 = value.utf8.makeIterator()
        guard value.utf8.count == sequentialSecretLength else { return nil }
        // Eight base64url characters are exactly six bytes.
        var bits: UInt64 = 0
        for _ in 0..<8 {
            guard let c = utf8.next(), let sextet = Base64URL.sextet(c) else { return nil }
            bits = bits << 6 | UInt64(sextet)
        }
        return (0..<issueTimeBytes).reversed().map { UInt8(truncatingIfNeeded: bits >> (8 * $0)) }
    }

    /// A time-ordered identifier (milliseconds in hex, then 80 random bits), for keys that are
    /// indexed: new rows land at the end of the index instead of on a random page.
    public static func sequentialIdentifier() -> String {
        let hex = String(millisecondsNow(), radix: 16)
        return String(repeating: "0", count: max(0, 12 - hex.count)) + hex + Base64URL.encode(bytes(10))
    }

    /// 128 bits: identifiers that need to be unguessable but not secret.
    public static func identifier() -> String { commandLineSafe(16) }

    /// base64url that never starts with "-" or "_": a value starting with "-" is read as an
    /// option by every command line (`termauth token revoke -Xy…` failed that way).
    /// Redrawing costs under 0.05 bits.
    private static func commandLineSafe(_ count: Int) -> String {
        while true {
            let value = Base64URL.encode(bytes(count))
            if let first = value.first, first != "-", first != "_" { return value }
        }
    }
}
