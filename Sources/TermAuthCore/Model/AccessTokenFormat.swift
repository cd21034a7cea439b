/// What a client's access tokens look like: opaque random strings, checked by calling back
/// (introspection), or RFC 9068 JWTs a resource server can check with the published keys.
public enum AccessTokenFormat: String, Sendable, CaseIterable {
    case opaque, jwt
}
