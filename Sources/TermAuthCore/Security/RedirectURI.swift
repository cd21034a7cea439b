import Foundation

/// Redirect URI rules: registration checks (RFC 6749 §3.1.2, RFC 8252 §7) and exact matching,
/// with the one exception RFC 8252 §7.3 makes for loopback ports.
public enum RedirectURI {
    /// Validates a URI before it is registered.
    public static func validateForRegistration(_ uri: String) throws(TermAuthError) {
        guard let parts = URLComponents(string: uri), let scheme = parts.scheme?.lowercased(), !scheme.isEmpty else {
            throw .invalidRedirectURI("\(uri) is not an absolute URI")
        }
        guard parts.fragment == nil else { throw .invalidRedirectURI("\(uri) has a fragment") }
        guard parts.user == nil, parts.password == nil else { throw .invalidRedirectURI("\(uri) has user information") }
        guard uri.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else {
            throw .invalidRedirectURI("\(uri) contains spaces or non-ASCII characters")
        }
        switch scheme {
        case "https":
            guard let host = parts.host, !host.isEmpty else { throw .invalidRedirectURI("\(uri) has no host") }
        case "http":
            guard let host = parts.host, isLoopbackHost(host) || host == "localhost" else {
                throw .invalidRedirectURI("\(uri): plain http is only allowed for loopback addresses (RFC 8252 §7.3)")
            }
        case "javascript", "data", "file", "vbscript":
            throw .invalidRedirectURI("\(uri): the \(scheme) scheme is not allowed")
        default:
            // Private-use schemes for native apps (RFC 8252 §7.1), such as com.example.app:/callback.
            guard scheme.contains(".") else {
                throw .invalidRedirectURI("\(uri): custom schemes must be reverse domain names (RFC 8252 §7.1)")
            }
        }
    }

    /// True when `requested` is one of `registered`, compared byte for byte, except that a
    /// registered `http://127.0.0.1` or `http://[::1]` URI matches any port.
    public static func matches(_ requested: String, registered: [String]) -> Bool {
        registered.contains { candidate in
            if candidate == requested { return true }
            guard let a = loopbackParts(candidate), let b = loopbackParts(requested) else { return false }
            return a.authority == b.authority && a.rest == b.rest
        }
    }

    static func isLoopbackHost(_ host: String) -> Bool {
        host == "127.0.0.1" || host == "[::1]" || host == "::1"
    }

    /// Splits `http://127.0.0.1:PORT/rest` into the host part and the rest, ignoring the port.
    private static func loopbackParts(_ uri: String) -> (authority: String, rest: Substring)? {
        for authority in ["http://127.0.0.1", "http://[::1]"] where uri.hasPrefix(authority) {
            var rest = uri.dropFirst(authority.count)
            if rest.first == ":" {
                let digits = rest.dropFirst().prefix(while: \.isASCII).prefix(while: \.isNumber)
                guard !digits.isEmpty, digits.count <= 5 else { return nil }
                rest = rest.dropFirst(1 + digits.count)
            }
            guard rest.isEmpty || rest.first == "/" || rest.first == "?" else { return nil }
            return (authority, rest)
        }
        return nil
    }
}
