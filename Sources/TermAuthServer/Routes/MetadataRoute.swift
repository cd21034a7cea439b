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
            return JSONBody.response(Metadata(
                issuer: base,
                authorization_endpoint: base + "/authorize",
                token_endpoint: base + "/token",
                response_types_supported: ["code"],
                response_modes_supported: ["query"],
                grant_types_supported: TokenEndpoint.supportedGrantTypes,
                token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post", "none"],
                code_challenge_methods_supported: ["S256"],
                scopes_supported: scopes))
        }
        router.get("healthz") { _, _ in "ok" }
    }
}

struct Metadata: Encodable {
    let issuer: String
    let authorization_endpoint: String
    let token_endpoint: String
    let response_types_supported: [String]
    let response_modes_supported: [String]
    let grant_types_supported: [String]
    let token_endpoint_auth_methods_supported: [String]
    let code_challenge_methods_supported: [String]
    let scopes_supported: [String]
}
