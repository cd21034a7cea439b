import Foundation
import PostgresNIO

extension PostgresStore {
    static func insert(_ code: AuthorizationCode, _ c: PostgresConnection) async throws {
        try await c.rows(
            """
            INSERT INTO codes(hash, client_id, user_id, redirect_uri, scope, code_challenge, code_challenge_method, issued_at, expires_at,
                nonce, auth_time, amr, resource)
            VALUES (\(code.hash.bytes), \(code.clientID), \(code.userID), \(code.redirectURI), \(code.scopes.string), \(code.codeChallenge),
                \(code.codeChallengeMethod?.rawValue), \(code.issuedAt), \(code.expiresAt), \(code.nonce), \(code.authentication?.time),
                \(code.authentication?.methodsString), \(code.resource))
            """)
    }

    public func code(hash: TokenHash) async throws -> AuthorizationCode? {
        try await one("SELECT * FROM codes WHERE hash = \(hash.bytes)", AuthorizationCode.init(pg:))
    }

    public func redeemCode(
        hash: TokenHash, now: Int64, issuing tokens: [Token], audit: @escaping @Sendable (CodeRedemption) -> AuditEvent?
    ) async throws -> CodeRedemption {
        try await transaction(audited: audit) { c in try await Self.redeem(hash, now: now, issuing: tokens, c) }
    }

    private static func redeem(_ hash: TokenHash, now: Int64, issuing tokens: [Token], _ c: PostgresConnection) async throws -> CodeRedemption {
        try await Self.serialise(on: hash, c)
        let won = try await c.rows("UPDATE codes SET redeemed_at = \(now) WHERE hash = \(hash.bytes) AND redeemed_at IS NULL RETURNING 1")
        if !won.isEmpty {
            try await Self.insert(tokens, c)
            return .redeemed
        }
        guard try await !c.rows("SELECT 1 FROM codes WHERE hash = \(hash.bytes)").isEmpty else { return .unknown }
        let revoked = try await c.rows(
            """
            UPDATE tokens SET revoked = TRUE WHERE hash IN (
                SELECT hash FROM tokens WHERE code_hash = \(hash.bytes) AND NOT revoked ORDER BY hash FOR UPDATE)
            RETURNING 1
            """)
        return .reused(revokedTokens: revoked.count)
    }
}
