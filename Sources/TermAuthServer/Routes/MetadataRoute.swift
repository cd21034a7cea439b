import Hummingbird
import TermAuthCore

/// `GET /.well-known/openid-configuration` (OpenID Connect Discovery 1.0 §3),
/// `GET /.well-known/oauth-authorization-server` (RFC 8414) and `GET /healthz`. The two
/// documents are one: RFC 8414 §2 takes OpenID's members as they are, so both name the same
/// issuer, keys and endpoints byte for byte.
struct MetadataRoute: Sendable {
    let termAuth: TermAuth
    let issuer: IssuerURL

    func register(on router: Router<TermAuthRequestContext>) {
        router.get(".well-known/oauth-authorization-server") { _, _ in JSONBody.response(try await metadata()) }
        router.get(".well-known/openid-configuration") { _, _ in JSONBody.response(try await metadata()) }
        router.get("healthz") { _, _ in "ok" }
    }

    private func metadata() async throws -> Metadata {
        let base = issuer.value
        let scopes = try await termAuth.store.scopes().map(\.name)
        // What registered clients can actually use, not everything the code knows; `code`
        // always, since Discovery requires a provider to support it.
        let enabled = Set(try await termAuth.store.clients().flatMap(\.grantTypes)).union([.authorizationCode])
        let grants = GrantRegistry.implemented.filter(enabled.contains).map(\.rawValue).sorted()
        let responses = GrantRegistry.authorizeResponseTypes.filter { enabled.contains($0.grant) }
        return Metadata(
            issuer: base,
            authorization_endpoint: base + "/authorize",
            token_endpoint: base + "/token",
            userinfo_endpoint: base + "/userinfo",
            jwks_uri: base + "/jwks.json",
            device_authorization_endpoint: base + "/device_authorization",
            introspection_endpoint: base + "/introspect",
            revocation_endpoint: base + "/revoke",
            scopes_supported: scopes,
            response_types_supported: responses.map(\.name),
            response_modes_supported: responses.contains(where: \.inFragment) ? ["query", "fragment"] : ["query"],
            grant_types_supported: grants,
            subject_types_supported: ["public"],
            id_token_signing_alg_values_supported: SigningAlgorithm.allCases.map(\.rawValue),
            token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post", "none"],
            introspection_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
            revocation_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post", "none"],
            code_challenge_methods_supported: ["S256"],
            claims_supported: IDTokenClaims.supported + UserInfoClaims.supported.filter { !IDTokenClaims.supported.contains($0) },
            prompt_values_supported: Prompt.allCases.map(\.rawValue),
            request_parameter_supported: false,
            request_uri_parameter_supported: false,
            claims_parameter_supported: false,
            authorization_response_iss_parameter_supported: true)
    }
}

struct Metadata: Encodable {
    let issuer: String
    let authorization_endpoint: String
    let token_endpoint: String
    let userinfo_endpoint: String
    let jwks_uri: String
    let device_authorization_endpoint: String
    let introspection_endpoint: String
    let revocation_endpoint: String
    let scopes_supported: [String]
    let response_types_supported: [String]
    let response_modes_supported: [String]
    let grant_types_supported: [String]
    let subject_types_supported: [String]
    let id_token_signing_alg_values_supported: [String]
    let token_endpoint_auth_methods_supported: [String]
    let introspection_endpoint_auth_methods_supported: [String]
    let revocation_endpoint_auth_methods_supported: [String]
    let code_challenge_methods_supported: [String]
    let claims_supported: [String]
    let prompt_values_supported: [String]
    /// Discovery §3 defaults `request_uri_parameter_supported` to true: say false outright.
    let request_parameter_supported: Bool
    let request_uri_parameter_supported: Bool
    let claims_parameter_supported: Bool
    /// RFC 9207: every authorization response names this issuer in `iss`.
    let authorization_response_iss_parameter_supported: Bool
}
