public struct User: Sendable, Equatable {
    public var id: String
    public var username: String
    public var displayName: String
    public var passwordHash: String
    public var createdAt: Int64
    /// May open the operator console over SSH (after a key sign-in).
    public var isOperator: Bool

    public init(
        id: String, username: String, displayName: String, passwordHash: String,
        createdAt: Int64 = Timestamp.now(), isOperator: Bool = false
    ) {
        self.id = id
        self.username = username
        self.displayName = displayName
        self.passwordHash = passwordHash
        self.createdAt = createdAt
        self.isOperator = isOperator
    }
}
