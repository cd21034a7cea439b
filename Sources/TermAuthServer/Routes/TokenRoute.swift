import HTTPTypes
import Hummingbird
import TermAuthCore

/// `POST /token` (RFC 6749 §3.2): form-encoded only, one client authentication method,
/// errors per §5.2, nothing cached.
struct TokenRoute: Sendable {
    let termAuth: TermAuth

    func register(on router: Router<TermAuthRequestContext>) {
        router.post("token") { request, context in
            do {
                return try await exchange(request, context)
            } catch let error as TermAuthError {
                return OAuthErrorResponse.json(error)
            } catch {
                return OAuthErrorResponse.unexpected(error, logger: context.logger)
            }
        }
    }

    private func exchange(_ request: Request, _ context: TermAuthRequestContext) async throws -> Response {
        let mediaType = request.headers[.contentType]?.split(separator: ";").first?.filter { $0 != " " && $0 != "\t" }
        guard let mediaType, mediaType.lowercased() == "application/x-www-form-urlencoded" else {
            throw TermAuthError.malformedParameter("Content-Type", reason: "must be application/x-www-form-urlencoded")
        }
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        let pairs: [(String, String)]
        do { pairs = try FormParser.parse(Substring(String(buffer: body))) } catch {
            throw TermAuthError.malformedParameter("body", reason: error.reason)
        }
        let parameters = try TermAuthCore.Parameters(pairs: pairs)
        let credentials = try clientCredentials(request, parameters)
        let response = try await termAuth.tokens.exchange(parameters, credentials: credentials)
        return TokenResponseBody(response).httpResponse
    }

    private func clientCredentials(_ request: Request, _ p: TermAuthCore.Parameters) throws -> ClientCredentials {
        if let header = request.headers[.authorization] {
            let basic: (id: String, secret: String)?
            do { basic = try BasicCredentials.parse(header) } catch { throw TermAuthError.clientAuthenticationFailed }
            guard let basic else { throw TermAuthError.clientAuthenticationFailed }
            // §2.3.1: a client must not use more than one authentication method per request.
            if p["client_secret"] != nil { throw TermAuthError.clientAuthenticationAmbiguous }
            if let bodyID = p["client_id"], bodyID != basic.id { throw TermAuthError.clientAuthenticationAmbiguous }
            return .basic(id: basic.id, secret: basic.secret.isEmpty ? nil : basic.secret)
        }
        guard let id = p["client_id"] else { return .none }
        return .body(id: id, secret: p["client_secret"])
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
