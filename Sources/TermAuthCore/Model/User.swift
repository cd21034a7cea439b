public struct User: Sendable, Equatable {
    public var id: String
    public var username: String
    public var displayName: String
    public var passwordHash: String
    public var createdAt: Int64

    public init(
        id: String, username: String, displayName: String, passwordHash: String,
        createdAt: Int64 = Timestamp.now()
    ) {
        self.id = id
        self.username = username
        self.displayName = displayName
        self.passwordHash = passwordHash
        self.createdAt = createdAt
    }
}
