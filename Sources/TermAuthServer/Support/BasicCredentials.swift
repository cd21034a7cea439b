import Foundation

/// HTTP Basic client authentication as RFC 6749 §2.3.1 defines it: id and secret are each
/// form-urlencoded before being joined with a colon and base64-encoded.
public enum BasicCredentials {
    /// nil when the header is not Basic; throws when it is Basic but malformed.
    public static func parse(_ header: String) throws(FormParser.Malformed) -> (id: String, secret: String)? {
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "basic" else { return nil }
        guard let data = Data(base64Encoded: String(parts[1]).trimmingCharacters(in: .whitespaces)),
              let decoded = String(data: data, encoding: .utf8)
        else { throw FormParser.Malformed(reason: "Basic credentials are not base64 of UTF-8 text") }
        guard let colon = decoded.firstIndex(of: ":") else {
            throw FormParser.Malformed(reason: "Basic credentials have no colon")
        }
        let id = try FormParser.decode(decoded[..<colon])
        let secret = try FormParser.decode(decoded[decoded.index(after: colon)...])
        guard !id.isEmpty else { throw FormParser.Malformed(reason: "Basic credentials have an empty client id") }
        return (id, secret)
    }
}
