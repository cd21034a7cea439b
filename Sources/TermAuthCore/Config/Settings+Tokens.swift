extension Settings {
    /// `[tokens]`: what JWT access tokens (RFC 9068) say and how they are signed.
    public struct Tokens: Sendable, Equatable {
        /// `aud` of a JWT access token whose client named no `resource`; nil is the issuer
        /// followed by `/resource`, the built-in resource server.
        public var audience: String?
        /// ES256 by default: a tenth of RS256's signing cost.
        public var accessTokenAlgorithm = SigningAlgorithm.es256
        public init() {}

        public func audience(issuer: String) -> String { audience ?? issuer + "/resource" }
    }

    /// The longest a JWT TermAuth signs stays valid: a retired key is published this long.
    public var longestSignedLifetime: Int64 { max(lifetimes.accessToken, lifetimes.idToken) }
}
