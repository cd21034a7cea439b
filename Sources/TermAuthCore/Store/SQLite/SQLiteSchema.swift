import GRDB

/// Versioned schema. Append a migration; never edit a shipped one.
enum SQLiteSchema {
    // Shipped migrations stay as they were applied, layout included.
    // swift-format-ignore
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE clients(
                    id TEXT PRIMARY KEY, name TEXT NOT NULL, secret TEXT,
                    redirect_uris TEXT NOT NULL, grant_types TEXT NOT NULL, scopes TEXT NOT NULL,
                    require_pkce INTEGER NOT NULL, allow_plain_pkce INTEGER NOT NULL, created_at INTEGER NOT NULL);
                CREATE TABLE users(
                    id TEXT PRIMARY KEY, username TEXT NOT NULL UNIQUE, display_name TEXT NOT NULL,
                    password_hash TEXT NOT NULL, failed_logins INTEGER NOT NULL DEFAULT 0, first_failed_at INTEGER,
                    locked_until INTEGER, created_at INTEGER NOT NULL);
                CREATE TABLE scopes(
                    name TEXT PRIMARY KEY, description TEXT NOT NULL, translations TEXT NOT NULL,
                    required INTEGER NOT NULL);
                CREATE TABLE requests(
                    id TEXT PRIMARY KEY, approval_hash BLOB NOT NULL UNIQUE, handle_hash BLOB NOT NULL UNIQUE,
                    client_id TEXT NOT NULL, redirect_uri TEXT NOT NULL, response_type TEXT NOT NULL,
                    scope TEXT NOT NULL, state TEXT, code_challenge TEXT, code_challenge_method TEXT,
                    origin TEXT NOT NULL, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL,
                    status TEXT NOT NULL, user_id TEXT, granted_scope TEXT, decided_at INTEGER,
                    poll_interval INTEGER NOT NULL DEFAULT 5, last_polled_at INTEGER);
                CREATE INDEX requests_status ON requests(status, expires_at);
                CREATE TABLE codes(
                    hash BLOB PRIMARY KEY, client_id TEXT NOT NULL, user_id TEXT NOT NULL,
                    redirect_uri TEXT NOT NULL, scope TEXT NOT NULL, code_challenge TEXT,
                    code_challenge_method TEXT, issued_at INTEGER NOT NULL, expires_at INTEGER NOT NULL,
                    redeemed_at INTEGER);
                CREATE TABLE tokens(
                    hash BLOB PRIMARY KEY, kind TEXT NOT NULL, client_id TEXT NOT NULL, user_id TEXT,
                    scope TEXT NOT NULL, issued_at INTEGER NOT NULL, expires_at INTEGER NOT NULL,
                    family TEXT NOT NULL, code_hash BLOB, revoked INTEGER NOT NULL DEFAULT 0,
                    used INTEGER NOT NULL DEFAULT 0);
                CREATE INDEX tokens_family ON tokens(family);
                CREATE INDEX tokens_code ON tokens(code_hash) WHERE code_hash IS NOT NULL;
                CREATE INDEX tokens_expiry ON tokens(expires_at);
                CREATE TABLE consents(
                    user_id TEXT NOT NULL, client_id TEXT NOT NULL, scope TEXT NOT NULL,
                    granted_at INTEGER NOT NULL, PRIMARY KEY(user_id, client_id));
                CREATE TABLE audit(
                    id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, kind TEXT NOT NULL,
                    client_id TEXT, username TEXT, detail TEXT NOT NULL, origin TEXT);
                """)
        }
        // Changes no table. Values issued from here on carry their issue time and are stored under
        // a hash that leads with it (see `TokenHash`); an older termauth would not find them.
        // Recording the change makes an older termauth refuse this database at start, instead
        // of answering invalid_grant for every token issued since.
        migrator.registerMigration("v2-time-ordered-token-hashes") { _ in }
        migrator.registerMigration("v3-hardening") { db in
            try db.execute(sql: """
                CREATE TABLE attempts(
                    key TEXT PRIMARY KEY, count INTEGER NOT NULL, window_start INTEGER NOT NULL, locked_until INTEGER);
                ALTER TABLE clients ADD COLUMN may_introspect INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE requests ADD COLUMN redirect_uri_sent INTEGER NOT NULL DEFAULT 1;
                ALTER TABLE requests ADD COLUMN source TEXT NOT NULL DEFAULT '';
                CREATE INDEX requests_client ON requests(client_id, status, expires_at);
                CREATE INDEX requests_source ON requests(source, status, expires_at);
                CREATE INDEX audit_at ON audit(at);
                INSERT INTO attempts(key, count, window_start, locked_until)
                    SELECT 'signin.user:' || username, 0, coalesce(first_failed_at, locked_until), locked_until
                    FROM users WHERE locked_until IS NOT NULL;
                """)
        }
        migrator.registerMigration("v4-ssh") { db in
            try db.execute(
                sql: """
                    CREATE TABLE user_keys(
                        user_id TEXT NOT NULL, fingerprint TEXT NOT NULL, type TEXT NOT NULL, public_key TEXT NOT NULL,
                        comment TEXT NOT NULL, created_at INTEGER NOT NULL, PRIMARY KEY(user_id, fingerprint));
                    ALTER TABLE users ADD COLUMN is_operator INTEGER NOT NULL DEFAULT 0;
                    """)
        }
        // OpenID Connect: signing keys (private halves wrapped, see `KeyWrap`), users' email,
        // per-client token formats, and what an ID token must carry from request to refresh.
        migrator.registerMigration("v5-openid") { db in
            try db.execute(
                sql: """
                    CREATE TABLE signing_keys(
                        kid TEXT PRIMARY KEY, alg TEXT NOT NULL, public_jwk TEXT NOT NULL, private_key BLOB NOT NULL,
                        created_at INTEGER NOT NULL, retired_at INTEGER, publish_until INTEGER);
                    ALTER TABLE users ADD COLUMN email TEXT;
                    ALTER TABLE users ADD COLUMN email_verified INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE users ADD COLUMN updated_at INTEGER NOT NULL DEFAULT 0;
                    UPDATE users SET updated_at = created_at;
                    ALTER TABLE clients ADD COLUMN id_token_alg TEXT NOT NULL DEFAULT 'RS256';
                    ALTER TABLE clients ADD COLUMN access_token_format TEXT NOT NULL DEFAULT 'opaque';
                    ALTER TABLE clients ADD COLUMN resources TEXT NOT NULL DEFAULT '';
                    ALTER TABLE requests ADD COLUMN nonce TEXT;
                    ALTER TABLE requests ADD COLUMN prompt TEXT;
                    ALTER TABLE requests ADD COLUMN max_age INTEGER;
                    ALTER TABLE requests ADD COLUMN login_hint TEXT;
                    ALTER TABLE requests ADD COLUMN ui_locales TEXT;
                    ALTER TABLE requests ADD COLUMN resource TEXT;
                    ALTER TABLE requests ADD COLUMN auth_time INTEGER;
                    ALTER TABLE requests ADD COLUMN amr TEXT;
                    ALTER TABLE codes ADD COLUMN nonce TEXT;
                    ALTER TABLE codes ADD COLUMN auth_time INTEGER;
                    ALTER TABLE codes ADD COLUMN amr TEXT;
                    ALTER TABLE codes ADD COLUMN resource TEXT;
                    ALTER TABLE tokens ADD COLUMN auth_time INTEGER;
                    ALTER TABLE tokens ADD COLUMN amr TEXT;
                    ALTER TABLE tokens ADD COLUMN resource TEXT;
                    INSERT OR IGNORE INTO scopes(name, description, translations, required) VALUES
                        ('openid', 'Know who you are', '{}', 1),
                        ('profile', 'See your name and username', '{}', 0),
                        ('email', 'See your email address', '{}', 0),
                        ('offline_access', 'Keep access while you are away', '{}', 0);
                    """)
        }
        return migrator
    }
}
