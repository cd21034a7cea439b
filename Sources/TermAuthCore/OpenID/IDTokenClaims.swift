import Crypto
import Foundation
import JWTKit

/// The claims of an ID token (OpenID Connect Core §2). Times are integer seconds; absent
/// claims are omitted, never null.
public struct IDTokenClaims: JWTPayload, Equatable {
    public var iss: String
    public var sub: String
    public var aud: String
    public var exp: Int64
    public var iat: Int64
    public var authTime: Int64
    public var nonce: String?
    public var atHash: String?
    public var amr: [String]?
    /// §2: the party the token was issued to, the one audience.
    public var azp: String?
    /// §5.4: with no access token beside it (`response_type=id_token`), the scopes' claims
    /// travel in the ID token itself, since the client has nothing to call UserInfo with.
    public var name: String?
    public var preferredUsername: String?
    public var updatedAt: Int64?
    public var email: String?
    public var emailVerified: Bool?

    enum CodingKeys: String, CodingKey {
        case iss, sub, aud, exp, iat, nonce, amr, azp, name, email
        case authTime = "auth_time"
        case atHash = "at_hash"
        case preferredUsername = "preferred_username"
        case updatedAt = "updated_at"
        case emailVerified = "email_verified"
    }

    public func verify(using _: some JWTAlgorithm) async throws {
        guard exp > Timestamp.now() else { throw TermAuthError.invalidIDToken }
    }

    /// §3.1.3.6: the left half of SHA-256 over the access token's ASCII, base64url (for the
    /// SHA-256 based RS256 and ES256).
    public static func accessTokenHash(_ accessToken: String) -> String {
        Base64URL.encode(Data(SHA256.hash(data: Data(accessToken.utf8))).prefix(16))
    }
}

extension IDTokenClaims {
    /// The claims an ID token can carry, for Discovery's `claims_supported`.
    public static let supported = ["iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "at_hash", "amr", "azp"]
}
