/// How a client presented itself at the token endpoint (RFC 6749 §2.3).
public enum ClientCredentials: Sendable, Equatable {
    case basic(id: String, secret: String?)
    case body(id: String, secret: String?)
    case none
}
