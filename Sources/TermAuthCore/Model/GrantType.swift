/// An OAuth grant type, by its registered name. Open rather than an enum: a new grant is a
/// handler registered in `GrantRegistry`, and the names the server accepts come from there.
public struct GrantType: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    public static let authorizationCode = GrantType(rawValue: "authorization_code")
    public static let refreshToken = GrantType(rawValue: "refresh_token")
    public static let clientCredentials = GrantType(rawValue: "client_credentials")
    public static let password = GrantType(rawValue: "password")
    public static let implicit = GrantType(rawValue: "implicit")
    public static let deviceCode = GrantType(rawValue: "urn:ietf:params:oauth:grant-type:device_code")

    public static let defaults: [GrantType] = [.authorizationCode, .refreshToken]
}
