/// The short code a person reads off one screen and types into another (`BDWP-HQPK`).
/// RFC 8628 §6.1: 20 consonants, no vowels (no words), no look-alike digits; 8 characters ≈ 34.5 bits.
public enum ApprovalCode {
    public static let alphabet = Array("BCDFGHJKLMNPQRSTVWXZ")

    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let letters = (0..<8).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] }
        return String(letters[0..<4]) + "-" + String(letters[4..<8])
    }

    /// Case- and dash-insensitive: what was typed, reduced to the canonical `XXXX-XXXX`, or nil.
    public static func normalize(_ typed: String) -> String? {
        let letters = typed.uppercased().filter { $0 != "-" && $0 != " " }
        guard letters.count == 8, letters.allSatisfy(alphabet.contains) else { return nil }
        return String(letters.prefix(4)) + "-" + String(letters.suffix(4))
    }
}
