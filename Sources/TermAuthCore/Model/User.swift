public struct User: Sendable, Equatable {
    public var id: String
    public var username: String
    public var displayName: String
    public var passwordHash: String
    public var createdAt: Int64
    /// May open the operator console over SSH (after a key sign-in).
    public var isOperator: Bool
    /// OpenID Connect Core §5.1 `email`, `email_verified` and `updated_at`.
    public var email: String?
    public var emailVerified: Bool
    public var updatedAt: Int64

    public init(
        id: String, username: String, displayName: String, passwordHash: String,
        createdAt: Int64 = Timestamp.now(), isOperator: Bool = false, email: String? = nil, emailVerified: Bool = false, updatedAt: Int64? = nil
    ) {
        self.email = email
        self.emailVerified = emailVerified
        self.updatedAt = updatedAt ?? createdAt
        self.id = id
        self.username = username
        self.displayName = displayName
        self.passwordHash = passwordHash
        self.createdAt = createdAt
        self.isOperator = isOperator
    }
}
