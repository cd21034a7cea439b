import JWTKit

/// RFC 9068 §2.2: the claims of a JWT access token. Times are integer seconds.
public struct AccessTokenClaims: JWTPayload, Equatable {
    /// The header `typ` of RFC 9068 §2.1, which tells an access token from an ID token.
    public static let type = "at+jwt"

    public var iss: String
    public var exp: Int64
    public var aud: String
    /// The user, or for client credentials the client itself (§2.2).
    public var sub: String
    public var clientID: String
    public var iat: Int64
    public var jti: String
    public var scope: String?
    public var authTime: Int64?

    enum CodingKeys: String, CodingKey {
        case iss, exp, aud, sub, iat, jti, scope
        case clientID = "client_id"
        case authTime = "auth_time"
    }

    public func verify(using _: some JWTAlgorithm) async throws {
        guard exp > Timestamp.now() else { throw TermAuthError.invalidAccessToken }
    }
}
