/// Strict application/x-www-form-urlencoded parsing (also for query strings): every pair kept in
/// order, repeats included, so callers can refuse repeats; bad percent-escapes and invalid UTF-8
/// are errors rather than silently mangled values.
public enum FormParser {
    public struct Malformed: Error, Equatable {
        public let reason: String
    }

    /// No OAuth request needs more than a dozen parameters or values longer than a long `state`;
    /// the caps keep a hostile request from costing more than a normal one.
    public static let maxParameters = 50
    public static let maxValueBytes = 8192
    public static let maxNameBytes = 64

    public static func parse(_ text: Substring) throws(Malformed) -> [(String, String)] {
        var pairs: [(String, String)] = []
        // Split on the bytes "&" and "=" (WHATWG's form parsing does): splitting the Substring
        // itself walks grapheme clusters, a measurable share of `/token` time.
        let utf8 = text.utf8
        var start = utf8.startIndex
        while start < utf8.endIndex {
            let end = utf8[start...].firstIndex(of: UInt8(ascii: "&")) ?? utf8.endIndex
            defer { start = end == utf8.endIndex ? end : utf8.index(after: end) }
            if start == end { continue }
            guard pairs.count < maxParameters else { throw Malformed(reason: "more than \(maxParameters) parameters") }
            let equals = utf8[start..<end].firstIndex(of: UInt8(ascii: "="))
            let key = try decode(Substring(utf8[start..<(equals ?? end)]))
            let value = try equals.map { (e) throws(Malformed) in try decode(Substring(utf8[utf8.index(after: e)..<end])) } ?? ""
            guard !key.isEmpty else { throw Malformed(reason: "empty parameter name") }
            guard key.utf8.count <= maxNameBytes, value.utf8.count <= maxValueBytes else {
                throw Malformed(reason: "parameter \(key.utf8.count <= maxNameBytes ? key : "name") is longer than allowed")
            }
            pairs.append((key, value))
        }
        return pairs
    }

    static func decode(_ text: Substring) throws(Malformed) -> String {
        // Most values (tokens, codes, grant types) have nothing to decode: a Substring is
        // valid UTF-8 already, so only NUL needs checking.
        if !text.utf8.contains(where: { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "+") || $0 == 0 }) { return String(text) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"): bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                    throw Malformed(reason: "invalid percent-encoding")
                }
                bytes.append(high << 4 | low)
            default: bytes.append(byte)
            }
        }
        guard let string = String(validating: bytes, as: UTF8.self) else { throw Malformed(reason: "invalid UTF-8") }
        guard !string.unicodeScalars.contains("\0") else { throw Malformed(reason: "NUL character") }
        return string
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
