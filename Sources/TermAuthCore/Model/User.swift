public struct User: Sendable, Equatable {
    public var id: String
    public var username: String
    public var displayName: String
    public var passwordHash: String
    public var failedLogins: Int
    public var lockedUntil: Int64?
    public var createdAt: Int64

    public init(
        id: String, username: String, displayName: String, passwordHash: String,
        failedLogins: Int = 0, lockedUntil: Int64? = nil, createdAt: Int64 = Timestamp.now()
    ) {
        self.id = id
        self.username = username
        self.displayName = displayName
        self.passwordHash = passwordHash
        self.failedLogins = failedLogins
        self.lockedUntil = lockedUntil
        self.createdAt = createdAt
    }
}
