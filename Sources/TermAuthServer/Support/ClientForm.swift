import HTTPTypes
import Hummingbird
import TermAuthCore

/// A form-encoded POST from a client (token, introspection, revocation, device authorization):
/// strict form parsing, no repeated parameters, and exactly one client authentication method
/// (RFC 6749 §2.3: HTTP Basic, URL-decoded per §2.3.1, or `client_id`/`client_secret` in the body).
struct ClientForm {
    let parameters: TermAuthCore.OAuthParameters
    let credentials: ClientCredentials

    static func read(_ request: Request, _ context: TermAuthRequestContext) async throws -> ClientForm {
        guard FormBody.isForm(request.headers[.contentType]) else {
            throw TermAuthError.malformedParameter("Content-Type", reason: "must be application/x-www-form-urlencoded")
        }
        let body = try await FormBody.read(request, upTo: context.maxUploadSize)
        let pairs: [(String, String)]
        do { pairs = try FormParser.parse(Substring(String(buffer: body))) } catch {
            throw TermAuthError.malformedParameter("body", reason: error.reason)
        }
        let parameters = try TermAuthCore.OAuthParameters(pairs: pairs)
        return ClientForm(parameters: parameters, credentials: try credentials(request, parameters))
    }

    private static func credentials(_ request: Request, _ p: TermAuthCore.OAuthParameters) throws -> ClientCredentials {
        if let header = request.headers[.authorization] {
            let basic: (id: String, secret: String)?
            do { basic = try BasicCredentials.parse(header) } catch { throw TermAuthError.clientAuthenticationFailed }
            guard let basic else { throw TermAuthError.clientAuthenticationFailed }
            if p["client_secret"] != nil { throw TermAuthError.clientAuthenticationAmbiguous }
            if let bodyID = p["client_id"], bodyID != basic.id { throw TermAuthError.clientAuthenticationAmbiguous }
            // git-credential-oauth sends "id:" for public clients.
            return .basic(id: basic.id, secret: basic.secret.isEmpty ? nil : basic.secret)
        }
        guard let id = p["client_id"] else { return .none }
        return .body(id: id, secret: p["client_secret"])
    }
}
