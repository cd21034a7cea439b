import HTTPTypes
import Hummingbird
import TermAuthCore

/// `POST /token` (RFC 6749 §3.2): form-encoded only, one client authentication method,
/// errors per §5.2, nothing cached.
struct TokenRoute: Sendable {
    let termAuth: TermAuth

    func register(on router: Router<TermAuthRequestContext>) {
        router.post("token") { request, context in
            try await exchange(request, context)
        }
    }

    private func exchange(_ request: Request, _ context: TermAuthRequestContext) async throws -> Response {
        let form = try await ClientForm.read(request, context)
        let response = try await termAuth.tokens.exchange(form.parameters, credentials: form.credentials, origin: context.peer)
        return TokenResponseBody(response).httpResponse
    }
}

/// RFC 6749 §5.1. Written by hand: this is the hottest response the server makes, and every
/// value in it is either a number or from a character set that needs no escaping (base64url
/// tokens, RFC 6749 scope tokens); `JSONBody.escape` is applied anyway.
struct TokenResponseBody {
    let response: TokenResponse

    init(_ response: TokenResponse) { self.response = response }

    var json: String {
        var out = "{\"access_token\":\"\(JSONBody.escape(response.accessToken))\",\"token_type\":\"\(response.tokenType)\",\"expires_in\":\(response.expiresIn)"
        if let refresh = response.refreshToken { out += ",\"refresh_token\":\"\(JSONBody.escape(refresh))\"" }
        if !response.scope.isEmpty { out += ",\"scope\":\"\(JSONBody.escape(response.scope.string))\"" }
        return out + "}"
    }

    var httpResponse: Response {
        var headers = HTTPFields.noStore
        headers[.contentType] = "application/json;charset=UTF-8"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: json)))
    }
}
