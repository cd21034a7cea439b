import HTTPTypes
import Hummingbird
import TermAuthCore

/// `GET` and `POST /userinfo` (OpenID Connect Core §5.3). The access token comes in the
/// Authorization header, or in a form body (RFC 6750 §2.2), never both (§2). Refusals carry the
/// RFC 6750 §3 challenge.
struct UserInfoRoute: Sendable {
    let termAuth: TermAuth

    func register(on router: Router<TermAuthRequestContext>) {
        router.get("userinfo") { request, context in try await userInfo(request, context) }
        router.post("userinfo") { request, context in try await userInfo(request, context) }
    }

    private func userInfo(_ request: Request, _ context: TermAuthRequestContext) async throws -> Response {
        let token: String
        switch try await BearerToken.read(request, context, formAllowed: request.method == .post) {
        case .token(let value): token = value
        case .missing: return BearerChallenge(code: .invalidToken, description: "no access token").response
        case .malformed(let why): return BearerChallenge(code: .invalidRequest, description: why).response
        }
        do {
            return JSONBody.response(headers: .noStore, try await termAuth.userInfo.claims(accessToken: token))
        } catch let error as TermAuthError where error.oauthCode == .invalidToken || error.oauthCode == .insufficientScope {
            return BearerChallenge(code: error.oauthCode, description: error.description).response
        }
    }
}
