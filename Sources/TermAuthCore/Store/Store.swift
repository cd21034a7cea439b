/// Persistence, split by what each part of the core needs (in the manner of Fosite's storage
/// interfaces): one protocol per kind of record, each in a file of its name, and in each engine's
/// folder a file of the same name (`SQLite/SQLiteStore+Tokens.swift` beside
/// `Postgres/PostgresStore+Tokens.swift`). Every method is one atomic state change, so an engine
/// only has to keep each one a transaction. The rules (how slow_down grows, how consents add up,
/// what a removal takes with it) live in the core and are handed in; the engines hold statements
/// and row mapping only.
public typealias Store = ClientStore & UserStore & ScopeStore & RequestStore & CodeStore & TokenStore & ConsentStore & AuditStore
    & HousekeepingStore & AttemptStore & UserKeyStore & SigningKeyStore
