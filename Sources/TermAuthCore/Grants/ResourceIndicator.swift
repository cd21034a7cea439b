/// RFC 8707: a client may name the resource its access token is for, one it was registered
/// with (`client add --resource`); the token's `aud` is then that resource.
enum ResourceIndicator {
    static func resolve(_ raw: String?, for client: Client) throws(TermAuthError) -> String? {
        guard let raw, !raw.isEmpty else { return nil }
        guard client.resources.contains(raw) else { throw .resourceNotAllowed(Sanitized.line(raw, limit: 200)) }
        return raw
    }
}
