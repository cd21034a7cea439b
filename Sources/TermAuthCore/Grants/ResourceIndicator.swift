/// RFC 8707: a client may name the resource its access token is for, one it was registered
/// with (`client add --resource`); the token's `aud` is then that resource.
enum ResourceIndicator {
    static func resolve(_ raw: String?, for client: Client) throws(TermAuthError) -> String? {
        guard let raw, !raw.isEmpty else { return nil }
        guard client.resources.contains(raw) else { throw .resourceNotAllowed(Sanitized.line(raw, limit: 200)) }
        return raw
    }

    /// At the token endpoint for an existing grant (a code, a refresh): a `resource` sent must
    /// be the grant's own, or registered when the grant named none. Nil keeps the grant's.
    static func narrow(_ raw: String?, granted: String?, for client: Client) throws(TermAuthError) -> String? {
        guard let requested = try resolve(raw, for: client) else { return granted }
        guard granted == nil || granted == requested else { throw .resourceNotAllowed(Sanitized.line(requested, limit: 200)) }
        return requested
    }
}
