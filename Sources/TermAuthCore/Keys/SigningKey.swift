import Foundation

/// A key TermAuth signs ID tokens and JWT access tokens with. The private half is stored only
/// wrapped (`KeyWrap`, purpose `purpose(kid)`), so a copy of the database alone reveals none.
public struct SigningKey: Sendable, Equatable {
    /// The RFC 7638 thumbprint of the public key.
    public var kid: String
    public var algorithm: SigningAlgorithm
    public var publicKey: PublicJWK
    public var wrappedPrivateKey: Data
    public var createdAt: Int64
    /// When a rotation stopped it signing; nil while it signs.
    public var retiredAt: Int64?
    /// Published until then, so every token it signed can still be checked; then housekeeping drops it.
    public var publishUntil: Int64?

    public init(
        kid: String, algorithm: SigningAlgorithm, publicKey: PublicJWK, wrappedPrivateKey: Data, createdAt: Int64,
        retiredAt: Int64? = nil, publishUntil: Int64? = nil
    ) {
        self.kid = kid
        self.algorithm = algorithm
        self.publicKey = publicKey
        self.wrappedPrivateKey = wrappedPrivateKey
        self.createdAt = createdAt
        self.retiredAt = retiredAt
        self.publishUntil = publishUntil
    }

    public var isSigning: Bool { retiredAt == nil }

    /// Authenticated with the wrapped bytes: a wrapped key cannot be moved to another row.
    static func purpose(_ kid: String) -> String { "signing key \(kid)" }
}
