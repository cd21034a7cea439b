/// Builds the redirect back to the client (RFC 6749 §4.1.2): parameters appended to the
/// registered URI's own query, `state` returned exactly as received, and `iss` naming this
/// server (RFC 9207) so a client talking to several servers can tell whose answer it is.
public struct RedirectBuilder: Sendable {
    public let base: String
    public let state: String?
    /// The implicit grant answers in the fragment (RFC 6749 §4.2.2), never in the query.
    public let inFragment: Bool
    public let issuer: String?

    public init(base: String, state: String?, inFragment: Bool = false, issuer: String? = nil) {
        self.base = base
        self.state = state
        self.inFragment = inFragment
        self.issuer = issuer
    }

    public func success(_ parameters: KeyValuePairs<String, String>) -> String {
        build(Array(parameters))
    }

    public func success(_ parameters: [(String, String)]) -> String {
        build(parameters)
    }

    public func error(_ error: TermAuthError) -> String {
        build([("error", error.oauthCode.rawValue), ("error_description", error.description)])
    }

    private func build(_ parameters: [(String, String)]) -> String {
        var all = parameters
        if let state { all.append(("state", state)) }
        if let issuer { all.append(("iss", issuer)) }
        let query = all.map { "\(FormEncoding.encode($0.0))=\(FormEncoding.encode($0.1))" }.joined(separator: "&")
        if inFragment { return base + "#" + query }
        let separator = base.contains("?") ? (base.hasSuffix("?") || base.hasSuffix("&") ? "" : "&") : "?"
        return base + separator + query
    }
}
