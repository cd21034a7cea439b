@testable import TermAuthCore
@testable import TermAuthConsole

enum ScreenFixtures {
    static let size = Size(columns: 80, rows: 24)

    static func pending(clientName: String = "Demo App", scopes: [Scope]? = nil) -> PendingAuthorization {
        let scopes =
            scopes ?? [
                Scope(name: "openid", description: "Know who you are", required: true),
                Scope(name: "profile", description: "Read your profile", translations: ["zh": "读取你的个人资料"]),
                Scope(name: "email", description: "Read your email address"),
            ]
        let request = AuthorizationRequest(
            id: "r1", clientID: "demo", redirectURI: "http://127.0.0.1:4000/callback", responseType: .code,
            scopes: ScopeSet(scopes.map(\.name)), state: nil, codeChallenge: nil, codeChallengeMethod: nil,
            origin: "127.0.0.1", createdAt: 0, expiresAt: 600)
        let client = Client(id: "demo", name: clientName, secret: nil, redirectURIs: ["http://127.0.0.1/callback"])
        return PendingAuthorization(request: request, approvalCode: "BDWP-HQPK", client: client, scopes: scopes)
    }

    static func text(_ canvas: Canvas) -> String { canvas.lines.joined(separator: "\n") }
}
