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

/// RFC 6749 §5.1, written by hand: this is the hottest response the server makes.
struct TokenResponseBody {
    let response: TokenResponse

    init(_ response: TokenResponse) { self.response = response }

    var json: String {
        var o = JSONObject()
        o.add("access_token", response.accessToken)
        o.add("token_type", response.tokenType)
        o.add("expires_in", response.expiresIn)
        o.add("refresh_token", response.refreshToken)
        o.add("scope", response.scope.isEmpty ? nil : response.scope.string)
        o.add("id_token", response.idToken)
        return o.json
    }

    var httpResponse: Response {
        JSONBody.response(headers: .noStore, json: json)
    }
}
