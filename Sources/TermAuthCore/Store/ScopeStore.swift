public protocol ScopeStore: Sendable {
    /// Inserts, or replaces the scope of the same name.
    func saveScope(_ scope: Scope) async throws
    func scopes() async throws -> [Scope]
    /// Just the names: what request validation needs, without decoding descriptions.
    func scopeNames() async throws -> Set<String>
    func removeScope(name: String) async throws -> Bool
}
