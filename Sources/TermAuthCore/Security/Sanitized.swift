/// Untrusted text made safe to print: C0/C1 controls, DEL, bidirectional overrides and
/// zero-width characters are dropped, so nothing can move a cursor or disguise itself.
public enum Sanitized {
    public static func line(_ text: String, limit: Int = 200) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars where !isDangerous(scalar) {
            out.append(scalar)
        }
        let clean = String(out)
        return clean.count > limit ? String(clean.prefix(limit - 1)) + "…" : clean
    }

    public static func isDangerous(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x00...0x1F, 0x7F...0x9F: return true // C0, DEL, C1
        case 0x200B...0x200F, 0x2028...0x202E, 0x2060...0x2069, 0xFEFF: return true // zero-width, separators, bidi
        default: return false
        }
    }
}
