import Foundation

/// The few header members read before verifying (RFC 7515 §4.1).
public struct JOSEHeader: Decodable, Sendable {
    public var alg: String?
    public var kid: String?
    public var typ: String?

    public init?(token: String) {
        guard let first = token.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false).first,
            let data = Base64URL.decode(String(first)), let header = try? JSONDecoder().decode(JOSEHeader.self, from: data)
        else { return nil }
        self = header
    }
}
