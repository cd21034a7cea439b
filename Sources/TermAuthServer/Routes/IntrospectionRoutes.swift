import HTTPTypes
import Hummingbird
import TermAuthCore

/// `POST /introspect` (RFC 7662) and `POST /revoke` (RFC 7009), for authenticated clients.
struct IntrospectionRoutes: Sendable {
    let termAuth: TermAuth
    let issuer: IssuerURL

    func register(on router: Router<TermAuthRequestContext>) {
        router.post("introspect") { request, context in
            let form = try await ClientForm.read(request, context)
            let client = try await termAuth.tokens.authenticate(form.credentials)
            let result = try await termAuth.introspection.introspect(try form.parameters.required("token"), by: client)
            return JSONBody.response(headers: .noStore, json: IntrospectionBody(result, issuer: issuer.value).json)
        }
        router.post("revoke") { request, context in
            let form = try await ClientForm.read(request, context)
            let client = try await termAuth.tokens.authenticate(form.credentials)
            try await termAuth.revocation.revoke(try form.parameters.required("token"), by: client, origin: context.peer)
            return Response(status: .ok, headers: .noStore)
        }
    }
}

/// RFC 7662 §2.2 response fields; also what `termauth token introspect --json` prints.
public struct IntrospectionBody: Encodable {
    let active: Bool
    let scope: String?
    let client_id: String?
    let username: String?
    let sub: String?
    let token_type: String?
    let exp: Int64?
    let iat: Int64?
    let iss: String?

    public init(_ r: TokenIntrospection.Result, issuer: String?) {
        active = r.active
        scope = r.scope
        client_id = r.clientID
        username = r.username
        sub = r.subject
        token_type = r.tokenType
        exp = r.expiresAt
        iat = r.issuedAt
        iss = r.active ? issuer : nil
    }

    /// The same members as the Encodable form with sorted keys, written by hand for `/introspect`.
    var json: String {
        var o = JSONObject()
        o.add("active", active)
        o.add("client_id", client_id)
        o.add("exp", exp)
        o.add("iat", iat)
        o.add("iss", iss)
        o.add("scope", scope)
        o.add("sub", sub)
        o.add("token_type", token_type)
        o.add("username", username)
        return o.json
    }
}
