/// Which scopes a client may have: every requested scope must exist and be on the client's list
/// (an empty list allows any registered scope). With no scope requested, the client's
/// registered scopes are the default (RFC 6749 §3.3).
struct ScopePolicy: Sendable {
    let store: any Store

    func resolve(requested raw: String?, for client: Client) async throws -> ScopeSet {
        guard let raw else { return ScopeSet(client.scopes) }
        let requested = try ScopeSet(parsing: raw)
        let known = Set(try await store.scopes().map(\.name))
        for name in requested.names {
            guard known.contains(name) else { throw TermAuthError.unknownScope(name) }
            guard client.scopes.isEmpty || client.scopes.contains(name) else { throw TermAuthError.scopeNotAllowed(name) }
        }
        return requested
    }
}
