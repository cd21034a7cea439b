public enum GrantType: String, Sendable, Codable, CaseIterable {
    case authorizationCode = "authorization_code"
    case refreshToken = "refresh_token"
    case clientCredentials = "client_credentials"
    case password = "password"
    case implicit = "implicit"
    case deviceCode = "urn:ietf:params:oauth:grant-type:device_code"

    public static let defaults: [GrantType] = [.authorizationCode, .refreshToken]
}
