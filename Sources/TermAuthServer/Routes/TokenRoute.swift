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
        let contentType = request.headers[.contentType]?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
        guard contentType == "application/x-www-form-urlencoded" else {
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
        return JSONBody.response(headers: .noStore, TokenResponseBody(response))
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

/// RFC 6749 §5.1 field names.
struct TokenResponseBody: Encodable {
    let access_token: String
    let token_type: String
    let expires_in: Int64
    let refresh_token: String?
    let scope: String?

    init(_ r: TokenResponse) {
        access_token = r.accessToken
        token_type = r.tokenType
        expires_in = r.expiresIn
        refresh_token = r.refreshToken
        scope = r.scope.isEmpty ? nil : r.scope.string
    }
}
