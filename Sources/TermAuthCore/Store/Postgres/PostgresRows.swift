import Foundation
import PostgresNIO

/// Row mapping by column name, the PostgreSQL twin of `SQLiteRows`.
typealias PGRow = PostgresRandomAccessRow

extension PGRow {
    func value<T: PostgresDecodable>(_ column: String, as: T.Type = T.self) throws -> T {
        try self[column].decode(T.self)
    }

    func words(_ column: String, separator: Character = " ") throws -> [String] {
        try value(column, as: String.self).split(separator: separator).map(String.init)
    }
}

extension Client {
    init(pg r: PGRow) throws {
        self.init(
            id: try r.value("id"), name: try r.value("name"),
            secret: try r.value("secret", as: String?.self).flatMap(SecretHash.init(encoded:)),
            redirectURIs: try r.words("redirect_uris", separator: "\n"),
            grantTypes: try r.words("grant_types").map(GrantType.init(rawValue:)),
            scopes: try r.words("scopes"),
            requirePKCE: try r.value("require_pkce"), allowPlainPKCE: try r.value("allow_plain_pkce"),
            mayIntrospect: try r.value("may_introspect"), createdAt: try r.value("created_at"))
        idTokenAlgorithm = SigningAlgorithm(rawValue: try r.value("id_token_alg")) ?? .rs256
        accessTokenFormat = AccessTokenFormat(rawValue: try r.value("access_token_format")) ?? .opaque
        resources = try r.words("resources", separator: "\n")
    }
}

extension User {
    init(pg r: PGRow) throws {
        self.init(
            id: try r.value("id"), username: try r.value("username"), displayName: try r.value("display_name"),
            passwordHash: try r.value("password_hash"), createdAt: try r.value("created_at"), isOperator: try r.value("is_operator"),
            email: try r.value("email"), emailVerified: try r.value("email_verified"), updatedAt: try r.value("updated_at"))
    }
}

extension Scope {
    init(pg r: PGRow) throws {
        let json = Data(try r.value("translations", as: String.self).utf8)
        let translations = (try? JSONDecoder().decode([String: String].self, from: json)) ?? [:]
        self.init(name: try r.value("name"), description: try r.value("description"), translations: translations, required: try r.value("required"))
    }
}

extension AuthorizationRequest {
    init(pg r: PGRow) throws {
        self.init(
            id: try r.value("id"), clientID: try r.value("client_id"), redirectURI: try r.value("redirect_uri"),
            responseType: ResponseType(rawValue: try r.value("response_type")) ?? .code,
            scopes: ScopeSet(try r.words("scope")),
            state: try r.value("state"), codeChallenge: try r.value("code_challenge"),
            codeChallengeMethod: try r.value("code_challenge_method", as: String?.self).flatMap(PKCEMethod.init(rawValue:)),
            origin: try r.value("origin"), createdAt: try r.value("created_at"), expiresAt: try r.value("expires_at"),
            status: Status(rawValue: try r.value("status")) ?? .denied, userID: try r.value("user_id"),
            grantedScopes: try r.value("granted_scope", as: String?.self).map { ScopeSet($0.split(separator: " ").map(String.init)) })
        pollInterval = try r.value("poll_interval")
        lastPolledAt = try r.value("last_polled_at")
        redirectURISent = try r.value("redirect_uri_sent")
        options.nonce = try r.value("nonce")
        options.prompt = Prompt.parse(try r.value("prompt"))
        options.maxAge = try r.value("max_age")
        options.loginHint = try r.value("login_hint")
        options.uiLocales = (try r.value("ui_locales", as: String?.self) ?? "").split(separator: " ").map(String.init)
        options.resource = try r.value("resource")
        authentication = Authentication(time: try r.value("auth_time"), methods: try r.value("amr"))
    }
}

extension AuthorizationCode {
    init(pg r: PGRow) throws {
        self.init(
            hash: TokenHash(bytes: try r.value("hash")), clientID: try r.value("client_id"), userID: try r.value("user_id"),
            redirectURI: try r.value("redirect_uri"), scopes: ScopeSet(try r.words("scope")),
            codeChallenge: try r.value("code_challenge"),
            codeChallengeMethod: try r.value("code_challenge_method", as: String?.self).flatMap(PKCEMethod.init(rawValue:)),
            issuedAt: try r.value("issued_at"), expiresAt: try r.value("expires_at"))
        nonce = try r.value("nonce")
        authentication = Authentication(time: try r.value("auth_time"), methods: try r.value("amr"))
        resource = try r.value("resource")
    }
}

extension Token {
    init(pg r: PGRow) throws {
        self.init(
            hash: TokenHash(bytes: try r.value("hash")), kind: Kind(rawValue: try r.value("kind")) ?? .access,
            clientID: try r.value("client_id"), userID: try r.value("user_id"), scopes: ScopeSet(try r.words("scope")),
            issuedAt: try r.value("issued_at"), expiresAt: try r.value("expires_at"), family: try r.value("family"),
            codeHash: try r.value("code_hash", as: Data?.self).map(TokenHash.init(bytes:)),
            revoked: try r.value("revoked"), used: try r.value("used"),
            authentication: Authentication(time: try r.value("auth_time"), methods: try r.value("amr")), resource: try r.value("resource"))
    }
}

extension Consent {
    init(pg r: PGRow) throws {
        self.init(
            userID: try r.value("user_id"), clientID: try r.value("client_id"), scopes: ScopeSet(try r.words("scope")),
            grantedAt: try r.value("granted_at"))
    }
}

extension AuditEvent {
    init(pg r: PGRow) throws {
        self.init(
            at: try r.value("at"), kind: Kind(rawValue: try r.value("kind")) ?? .loginFailed,
            clientID: try r.value("client_id"), username: try r.value("username"), detail: try r.value("detail"),
            origin: try r.value("origin"))
    }
}

extension AttemptCounter {
    init(pg r: PGRow) throws {
        self.init(
            count: Int(try r.value("count", as: Int64.self)), windowStart: try r.value("window_start"), lockedUntil: try r.value("locked_until"))
    }
}

extension UserKey {
    init(pg r: PGRow) throws {
        self.init(
            userID: try r.value("user_id"), fingerprint: try r.value("fingerprint"), type: try r.value("type"),
            publicKey: try r.value("public_key"), comment: try r.value("comment"), createdAt: try r.value("created_at"))
    }
}

extension SigningKey {
    init(pg r: PGRow) throws {
        self.init(
            kid: try r.value("kid"), algorithm: try SigningAlgorithm.parse(try r.value("alg")),
            publicKey: try PublicJWK(json: try r.value("public_jwk")), wrappedPrivateKey: try r.value("private_key"),
            createdAt: try r.value("created_at"), retiredAt: try r.value("retired_at"), publishUntil: try r.value("publish_until"))
    }
}
