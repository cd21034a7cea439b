/// Which scopes a client may have: every requested scope must exist and be on the client's list
/// (an empty list allows any registered scope). With no scope requested, the client's
/// registered scopes are the default (RFC 6749 §3.3).
struct ScopePolicy: Sendable {
    let store: any ScopeStore

    func resolve(requested raw: String?, for client: Client) async throws -> ScopeSet {
        guard let raw else { return ScopeSet(client.scopes) }
        let requested = try ScopeSet(parsing: raw)
        // The client's list only names registered scopes, so checking it first spares a query.
        if !client.scopes.isEmpty, let outside = requested.names.first(where: { !client.scopes.contains($0) }) {
            throw TermAuthError.scopeNotAllowed(outside)
        }
        if !requested.isEmpty {
            let known = try await store.scopeNames()
            if let unknown = requested.names.first(where: { !known.contains($0) }) { throw TermAuthError.unknownScope(unknown) }
        }
        return requested
    }
}
