import Hummingbird
import TermAuthCore

/// `GET /.well-known/oauth-authorization-server` (RFC 8414) and `GET /healthz`.
struct MetadataRoute: Sendable {
    let termAuth: TermAuth
    let issuer: IssuerURL

    func register(on router: Router<TermAuthRequestContext>) {
        router.get(".well-known/oauth-authorization-server") { _, _ in
            let base = issuer.value
            let scopes = try await termAuth.store.scopes().map(\.name)
            // What registered clients can actually use, not everything the code knows.
            let enabled = Set(try await termAuth.store.clients().flatMap(\.grantTypes))
            let grants = GrantRegistry.tokenGrantTypes.filter(enabled.contains).map(\.rawValue).sorted()
            let responses = GrantRegistry.authorizeResponseTypes.filter { enabled.contains($0.grant) }
            let responseTypes = responses.map(\.name)
            return JSONBody.response(
                Metadata(
                    issuer: base,
                    authorization_endpoint: base + "/authorize",
                    token_endpoint: base + "/token",
                    device_authorization_endpoint: base + "/device_authorization",
                    introspection_endpoint: base + "/introspect",
                    revocation_endpoint: base + "/revoke",
                    response_types_supported: responseTypes,
                    response_modes_supported: responses.contains(where: \.inFragment) ? ["query", "fragment"] : ["query"],
                    grant_types_supported: grants,
                    token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post", "none"],
                    introspection_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
                    revocation_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post", "none"],
                    code_challenge_methods_supported: ["S256"],
                    scopes_supported: scopes,
                    authorization_response_iss_parameter_supported: true))
        }
        router.get("healthz") { _, _ in "ok" }
    }
}

struct Metadata: Encodable {
    let issuer: String
    let authorization_endpoint: String
    let token_endpoint: String
    let device_authorization_endpoint: String
    let introspection_endpoint: String
    let revocation_endpoint: String
    let response_types_supported: [String]
    let response_modes_supported: [String]
    let grant_types_supported: [String]
    let token_endpoint_auth_methods_supported: [String]
    let introspection_endpoint_auth_methods_supported: [String]
    let revocation_endpoint_auth_methods_supported: [String]
    let code_challenge_methods_supported: [String]
    let scopes_supported: [String]
    /// RFC 9207: every authorization response names this issuer in `iss`.
    let authorization_response_iss_parameter_supported: Bool
}
