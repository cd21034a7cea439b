import Foundation
import GRDB

/// Row mapping by hand: FACTS.md measured Codable record decoding ≈ 5× slower on hot paths.
extension Client {
    init(row: Row) {
        self.init(
            id: row["id"], name: row["name"],
            secret: (row["secret"] as String?).flatMap(SecretHash.init(encoded:)),
            redirectURIs: (row["redirect_uris"] as String).split(separator: "\n").map(String.init),
            grantTypes: (row["grant_types"] as String).split(separator: " ").map { GrantType(rawValue: String($0)) },
            scopes: (row["scopes"] as String).split(separator: " ").map(String.init),
            requirePKCE: row["require_pkce"], allowPlainPKCE: row["allow_plain_pkce"], mayIntrospect: row["may_introspect"],
            createdAt: row["created_at"]
        )
        idTokenAlgorithm = SigningAlgorithm(rawValue: row["id_token_alg"]) ?? .rs256
        accessTokenFormat = AccessTokenFormat(rawValue: row["access_token_format"]) ?? .opaque
        resources = (row["resources"] as String).split(separator: "\n").map(String.init)
    }
}

extension User {
    init(row: Row) {
        self.init(
            id: row["id"], username: row["username"], displayName: row["display_name"],
            passwordHash: row["password_hash"], createdAt: row["created_at"], isOperator: row["is_operator"],
            email: row["email"], emailVerified: row["email_verified"], updatedAt: row["updated_at"]
        )
    }
}

extension Scope {
    init(row: Row) {
        let json = (row["translations"] as String).data(using: .utf8) ?? Data()
        let translations = (try? JSONDecoder().decode([String: String].self, from: json)) ?? [:]
        self.init(name: row["name"], description: row["description"], translations: translations, required: row["required"])
    }
}

extension AuthorizationRequest {
    init(row: Row) {
        self.init(
            id: row["id"], clientID: row["client_id"], redirectURI: row["redirect_uri"],
            responseType: ResponseType(rawValue: row["response_type"]) ?? .code,
            scopes: ScopeSet((row["scope"] as String).split(separator: " ").map(String.init)),
            state: row["state"], codeChallenge: row["code_challenge"],
            codeChallengeMethod: (row["code_challenge_method"] as String?).flatMap(PKCEMethod.init(rawValue:)),
            origin: row["origin"], createdAt: row["created_at"], expiresAt: row["expires_at"],
            status: Status(rawValue: row["status"]) ?? .denied, userID: row["user_id"],
            grantedScopes: (row["granted_scope"] as String?).map { ScopeSet($0.split(separator: " ").map(String.init)) }
        )
        pollInterval = row["poll_interval"]
        lastPolledAt = row["last_polled_at"]
        redirectURISent = row["redirect_uri_sent"]
        options.nonce = row["nonce"]
        options.prompt = Prompt.parse(row["prompt"])
        options.maxAge = row["max_age"]
        options.loginHint = row["login_hint"]
        options.uiLocales = ((row["ui_locales"] as String?) ?? "").split(separator: " ").map(String.init)
        options.resource = row["resource"]
        authentication = Authentication(time: row["auth_time"], methods: row["amr"])
    }
}

extension AuthorizationCode {
    /// The columns `init(row:)` reads, by position: decoding by name searched the column names
    /// case-insensitively for every value, a tenth of a code exchange's lookup.
    static let sqliteColumns =
        "hash, client_id, user_id, redirect_uri, scope, code_challenge, code_challenge_method, issued_at, expires_at, nonce, auth_time, amr, resource"

    init(row: Row) {
        self.init(
            hash: TokenHash(bytes: row[0]), clientID: row[1], userID: row[2],
            redirectURI: row[3], scopes: ScopeSet((row[4] as String).split(separator: " ").map(String.init)),
            codeChallenge: row[5],
            codeChallengeMethod: (row[6] as String?).flatMap(PKCEMethod.init(rawValue:)),
            issuedAt: row[7], expiresAt: row[8]
        )
        nonce = row[9]
        authentication = Authentication(time: row[10], methods: row[11])
        resource = row[12]
    }
}

extension Token {
    /// The columns `init(row:)` reads, by position (see `AuthorizationCode.sqliteColumns`).
    static let sqliteColumns =
        "hash, kind, client_id, user_id, scope, issued_at, expires_at, family, code_hash, revoked, used, auth_time, amr, resource"

    init(row: Row) {
        self.init(
            hash: TokenHash(bytes: row[0]), kind: Kind(rawValue: row[1]) ?? .access,
            clientID: row[2], userID: row[3],
            scopes: ScopeSet((row[4] as String).split(separator: " ").map(String.init)),
            issuedAt: row[5], expiresAt: row[6], family: row[7],
            codeHash: (row[8] as Data?).map(TokenHash.init(bytes:)),
            revoked: row[9], used: row[10], authentication: Authentication(time: row[11], methods: row[12]), resource: row[13]
        )
    }
}

extension Consent {
    init(row: Row) {
        self.init(
            userID: row["user_id"], clientID: row["client_id"],
            scopes: ScopeSet((row["scope"] as String).split(separator: " ").map(String.init)), grantedAt: row["granted_at"]
        )
    }
}

extension AuditEvent {
    init(row: Row) {
        self.init(
            at: row["at"], kind: Kind(rawValue: row["kind"]) ?? .loginFailed,
            clientID: row["client_id"], username: row["username"], detail: row["detail"], origin: row["origin"]
        )
    }
}

extension UserKey {
    init(row: Row) {
        self.init(
            userID: row["user_id"], fingerprint: row["fingerprint"], type: row["type"], publicKey: row["public_key"],
            comment: row["comment"], createdAt: row["created_at"])
    }
}

extension SigningKey {
    init(row: Row) throws {
        self.init(
            kid: row["kid"], algorithm: try SigningAlgorithm.parse(row["alg"]), publicKey: try PublicJWK(json: row["public_jwk"]),
            wrappedPrivateKey: row["private_key"], createdAt: row["created_at"], retiredAt: row["retired_at"], publishUntil: row["publish_until"])
    }
}
