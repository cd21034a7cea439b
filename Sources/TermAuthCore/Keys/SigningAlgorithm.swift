/// The JWS algorithms TermAuth signs with (RFC 7518 §3). RS256 must be offered (OpenID
/// Connect Discovery §3); ES256 is far cheaper to sign.
public enum SigningAlgorithm: String, Sendable, CaseIterable, Codable {
    case rs256 = "RS256"
    case es256 = "ES256"

    /// Accepts `RS256`, `rs256`, `ES256`, `es256`.
    public static func parse(_ raw: String) throws(TermAuthError) -> SigningAlgorithm {
        guard let alg = SigningAlgorithm(rawValue: raw.uppercased()) else {
            throw .invalidArgument("unknown signing algorithm \(Sanitized.line(raw, limit: 20)); use RS256 or ES256")
        }
        return alg
    }
}
