public protocol UserStore: Sendable {
    func insertUser(_ user: User) async throws
    func user(username: String) async throws -> User?
    func user(id: String) async throws -> User?
    func users() async throws -> [User]
    /// Removes the user with what `Cascade.userRemoval` names, in one transaction.
    func removeUser(username: String) async throws -> Bool
    func updatePassword(userID: String, hash: String) async throws
}
