import Foundation
import Hummingbird
import TermAuthCore

/// The demo's client application: a confidential web app with a loopback redirect. Everything
/// it does is what any OAuth client does, over real HTTP.
struct DemoApplication: Sendable {
    let stage: DemoStage

    /// One authorization attempt: what the app keeps to itself until the answer comes back.
    struct Attempt: Sendable {
        let state: String
        let verifier: String
        /// OpenID Connect: echoed in the ID token, which ties it to this attempt.
        let nonce: String
        let url: URL
    }

    func beginAuthorization(scope: String) -> Attempt {
        let state = RandomToken.identifier()
        let verifier = RandomToken.secret()
        let nonce = RandomToken.identifier()
        var components = URLComponents(url: stage.server.appendingPathComponent("authorize"), resolvingAgainstBaseURL: false)!
        components.percentEncodedQuery = [
            ("response_type", "code"), ("client_id", DemoStage.appClientID), ("redirect_uri", stage.callback.absoluteString),
            ("scope", scope), ("state", state), ("code_challenge", PKCE.challenge(for: verifier, method: .s256)),
            ("code_challenge_method", "S256"), ("nonce", nonce),
        ].map { "\($0.0)=\(FormEncoding.encode($0.1))" }.joined(separator: "&")
        return Attempt(state: state, verifier: verifier, nonce: nonce, url: components.url!)
    }

    func exchange(code: String, attempt: Attempt) async throws -> DemoExchange {
        try await stage.http.post(
            endpoint("token"),
            form: [
                ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", stage.callback.absoluteString),
                ("code_verifier", attempt.verifier),
            ], headers: clientAuthentication)
    }

    func refresh(_ refreshToken: String) async throws -> DemoExchange {
        try await stage.http.post(
            endpoint("token"), form: [("grant_type", "refresh_token"), ("refresh_token", refreshToken)],
            headers: clientAuthentication)
    }

    func clientCredentials(scope: String) async throws -> DemoExchange {
        try await stage.http.post(
            endpoint("token"), form: [("grant_type", "client_credentials"), ("scope", scope)],
            headers: clientAuthentication)
    }

    func introspect(_ token: String) async throws -> DemoExchange {
        try await stage.http.post(endpoint("introspect"), form: [("token", token)], headers: clientAuthentication)
    }

    func revoke(_ token: String) async throws -> DemoExchange {
        try await stage.http.post(
            endpoint("revoke"), form: [("token", token), ("token_type_hint", "access_token")],
            headers: clientAuthentication)
    }

    /// Step 7: the resource server, with the token as a bearer credential.
    func resource(_ accessToken: String) async throws -> DemoExchange {
        try await stage.http.get(endpoint("resource"), headers: ["Authorization": "Bearer \(accessToken)"])
    }

    private func endpoint(_ path: String) -> URL { stage.server.appendingPathComponent(path) }

    private var clientAuthentication: [String: String] {
        let pair = "\(FormEncoding.encode(DemoStage.appClientID)):\(FormEncoding.encode(stage.appSecret))"
        return ["Authorization": "Basic \(Data(pair.utf8).base64EncodedString())"]
    }

    /// The loopback listener behind the redirect URI: it hands each answer to the inbox.
    static func callbackRouter(inbox: CallbackInbox) -> Router<BasicRequestContext> {
        let router = Router()
        router.get("callback") { request, _ -> String in
            var query: [String: String] = [:]
            for (name, value) in request.uri.queryParameters where query[String(name)] == nil {
                query[String(name)] = String(value)
            }
            await inbox.deliver(query)
            return "TermAuth demo application: answer received. You can close this page.\n"
        }
        return router
    }
}
