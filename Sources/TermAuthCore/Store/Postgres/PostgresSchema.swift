/// Versioned schema for PostgreSQL: the same tables and meaning as `SQLiteSchema`, in
/// PostgreSQL's types. Append a migration; never edit a shipped one.
enum PostgresSchema {
    struct Migration {
        let version: Int
        let name: String
        let sql: [String]
    }

    // Shipped migrations stay as they were applied, layout included.
    // swift-format-ignore
    static let migrations: [Migration] = [
        Migration(version: 1, name: "v1", sql: [
            """
            CREATE TABLE clients(
                id TEXT PRIMARY KEY, name TEXT NOT NULL, secret TEXT,
                redirect_uris TEXT NOT NULL, grant_types TEXT NOT NULL, scopes TEXT NOT NULL,
                require_pkce BOOLEAN NOT NULL, allow_plain_pkce BOOLEAN NOT NULL, created_at BIGINT NOT NULL)
            """,
            """
            CREATE TABLE users(
                id TEXT PRIMARY KEY, username TEXT NOT NULL UNIQUE, display_name TEXT NOT NULL,
                password_hash TEXT NOT NULL, failed_logins INTEGER NOT NULL DEFAULT 0, first_failed_at BIGINT,
                locked_until BIGINT, created_at BIGINT NOT NULL)
            """,
            """
            CREATE TABLE scopes(
                name TEXT PRIMARY KEY, description TEXT NOT NULL, translations TEXT NOT NULL, required BOOLEAN NOT NULL)
            """,
            """
            CREATE TABLE requests(
                id TEXT PRIMARY KEY, approval_hash BYTEA NOT NULL UNIQUE, handle_hash BYTEA NOT NULL UNIQUE,
                client_id TEXT NOT NULL, redirect_uri TEXT NOT NULL, response_type TEXT NOT NULL,
                scope TEXT NOT NULL, state TEXT, code_challenge TEXT, code_challenge_method TEXT,
                origin TEXT NOT NULL, created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL,
                status TEXT NOT NULL, user_id TEXT, granted_scope TEXT, decided_at BIGINT,
                poll_interval BIGINT NOT NULL DEFAULT 5, last_polled_at BIGINT)
            """,
            "CREATE INDEX requests_status ON requests(status, expires_at)",
            "CREATE INDEX requests_client ON requests(client_id)",
            """
            CREATE TABLE codes(
                hash BYTEA PRIMARY KEY, client_id TEXT NOT NULL, user_id TEXT NOT NULL,
                redirect_uri TEXT NOT NULL, scope TEXT NOT NULL, code_challenge TEXT,
                code_challenge_method TEXT, issued_at BIGINT NOT NULL, expires_at BIGINT NOT NULL,
                redeemed_at BIGINT)
            """,
            "CREATE INDEX codes_expiry ON codes(expires_at)",
            """
            CREATE TABLE tokens(
                hash BYTEA PRIMARY KEY, kind TEXT NOT NULL, client_id TEXT NOT NULL, user_id TEXT,
                scope TEXT NOT NULL, issued_at BIGINT NOT NULL, expires_at BIGINT NOT NULL,
                family TEXT NOT NULL, code_hash BYTEA, revoked BOOLEAN NOT NULL DEFAULT FALSE,
                used BOOLEAN NOT NULL DEFAULT FALSE)
            """,
            "CREATE INDEX tokens_family ON tokens(family)",
            "CREATE INDEX tokens_code ON tokens(code_hash) WHERE code_hash IS NOT NULL",
            "CREATE INDEX tokens_expiry ON tokens(expires_at)",
            "CREATE INDEX tokens_client ON tokens(client_id)",
            """
            CREATE TABLE consents(
                user_id TEXT NOT NULL, client_id TEXT NOT NULL, scope TEXT NOT NULL,
                granted_at BIGINT NOT NULL, PRIMARY KEY(user_id, client_id))
            """,
            """
            CREATE TABLE audit(
                id BIGSERIAL PRIMARY KEY, at BIGINT NOT NULL, kind TEXT NOT NULL,
                client_id TEXT, username TEXT, detail TEXT NOT NULL, origin TEXT)
            """,
        ]),
        // Changes no table: see the same migration in `SQLiteSchema`.
        Migration(version: 2, name: "v2-time-ordered-token-hashes", sql: []),
        Migration(version: 3, name: "v3-hardening", sql: [
            "CREATE TABLE attempts(key TEXT PRIMARY KEY, count BIGINT NOT NULL, window_start BIGINT NOT NULL, locked_until BIGINT)",
            "ALTER TABLE clients ADD COLUMN may_introspect BOOLEAN NOT NULL DEFAULT FALSE",
            "ALTER TABLE requests ADD COLUMN redirect_uri_sent BOOLEAN NOT NULL DEFAULT TRUE",
            "ALTER TABLE requests ADD COLUMN source TEXT NOT NULL DEFAULT ''",
            "CREATE INDEX requests_pending ON requests(client_id, status, expires_at)",
            "CREATE INDEX requests_source ON requests(source, status, expires_at)",
            "CREATE INDEX audit_at ON audit(at)",
            """
            INSERT INTO attempts(key, count, window_start, locked_until)
                SELECT 'signin.user:' || username, 0, coalesce(first_failed_at, locked_until), locked_until
                FROM users WHERE locked_until IS NOT NULL
            """,
        ]),
        Migration(version: 4, name: "v4-ssh", sql: [
            """
            CREATE TABLE user_keys(
                user_id TEXT NOT NULL, fingerprint TEXT NOT NULL, type TEXT NOT NULL, public_key TEXT NOT NULL,
                comment TEXT NOT NULL, created_at BIGINT NOT NULL, PRIMARY KEY(user_id, fingerprint))
            """,
            "ALTER TABLE users ADD COLUMN is_operator BOOLEAN NOT NULL DEFAULT FALSE",
        ]),
        // See the same migration in `SQLiteSchema`.
        Migration(version: 5, name: "v5-openid", sql: [
            """
            CREATE TABLE signing_keys(
                kid TEXT PRIMARY KEY, alg TEXT NOT NULL, public_jwk TEXT NOT NULL, private_key BYTEA NOT NULL,
                created_at BIGINT NOT NULL, retired_at BIGINT, publish_until BIGINT)
            """,
            "ALTER TABLE users ADD COLUMN email TEXT",
            "ALTER TABLE users ADD COLUMN email_verified BOOLEAN NOT NULL DEFAULT FALSE",
            "ALTER TABLE users ADD COLUMN updated_at BIGINT NOT NULL DEFAULT 0",
            "UPDATE users SET updated_at = created_at",
            "ALTER TABLE clients ADD COLUMN id_token_alg TEXT NOT NULL DEFAULT 'RS256'",
            "ALTER TABLE clients ADD COLUMN access_token_format TEXT NOT NULL DEFAULT 'opaque'",
            "ALTER TABLE clients ADD COLUMN resources TEXT NOT NULL DEFAULT ''",
            """
            ALTER TABLE requests ADD COLUMN nonce TEXT, ADD COLUMN prompt TEXT, ADD COLUMN max_age BIGINT,
                ADD COLUMN login_hint TEXT, ADD COLUMN ui_locales TEXT, ADD COLUMN resource TEXT,
                ADD COLUMN auth_time BIGINT, ADD COLUMN amr TEXT
            """,
            "ALTER TABLE codes ADD COLUMN nonce TEXT, ADD COLUMN auth_time BIGINT, ADD COLUMN amr TEXT, ADD COLUMN resource TEXT",
            "ALTER TABLE tokens ADD COLUMN auth_time BIGINT, ADD COLUMN amr TEXT, ADD COLUMN resource TEXT",
            """
            INSERT INTO scopes(name, description, translations, required) VALUES
                ('openid', 'Know who you are', '{}', TRUE),
                ('profile', 'See your name and username', '{}', FALSE),
                ('email', 'See your email address', '{}', FALSE),
                ('offline_access', 'Keep access while you are away', '{}', FALSE)
            ON CONFLICT (name) DO NOTHING
            """,
        ]),
    ]

    static var latestVersion: Int { migrations.last?.version ?? 0 }
}
