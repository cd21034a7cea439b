import TermAuthConsole

/// Client credentials: the application asks for a token for itself, no person involved.
struct ClientCredentialsScene {
    let stage: DemoStage
    let title = "Client Credentials grant"

    static let steps = [
        DemoScreen.Step(1, "Authenticate as the application", "application → authorization server"),
        DemoScreen.Step(2, "Issue access token", "authorization server → application"),
        DemoScreen.Step(3, "Check the token", "resource server → authorization server"),
    ]

    func play(_ show: DemoShow) async throws -> SceneOutcome {
        let app = DemoApplication(stage: stage)
        try show.scene(title, steps: Self.steps)
        try show.begin(1)
        let issued = try await app.clientCredentials(scope: "profile")
        show.show(issued.requestLines)
        show.set(1, .done)
        try show.begin(2)
        show.show(issued.responseLines)
        guard issued.status == 200, let access = issued.json["access_token"] else {
            show.set(2, .failed)
            return SceneOutcome(title, succeeded: false, "token endpoint answered \(issued.status)")
        }
        show.note("No refresh token: the application can simply ask again.")
        show.set(2, .done)
        try show.begin(3)
        let checked = try await app.introspect(access)
        show.show(checked.requestLines + checked.responseLines)
        show.note("No username: this token speaks for the application itself.")
        let active = checked.json["active"] == "true"
        show.set(3, active ? .done : .failed)
        return SceneOutcome(title, succeeded: active, "token issued; introspection says active=\(active)")
    }
}

/// Refresh: the application trades its refresh token for a new pair (rotation).
struct RefreshScene {
    let stage: DemoStage
    let tokens: SceneOutcome.Tokens?
    let title = "Refresh Token grant (rotation)"

    static let steps = [
        DemoScreen.Step(1, "Send the refresh token", "application → authorization server"),
        DemoScreen.Step(2, "Issue a new pair", "authorization server → application"),
        DemoScreen.Step(3, "Request resource with new token", "application → resource server"),
    ]

    func play(_ show: DemoShow) async throws -> SceneOutcome {
        let app = DemoApplication(stage: stage)
        try show.scene(title, steps: Self.steps)
        guard let refreshToken = tokens?.refresh else {
            show.note("The application holds no refresh token: run the Authorization Code grant first.")
            show.set(1, .skipped("no refresh token"))
            return SceneOutcome(title, succeeded: false, "no refresh token to use")
        }
        try show.begin(1)
        let rotated = try await app.refresh(refreshToken)
        show.show(rotated.requestLines)
        show.set(1, .done)
        try show.begin(2)
        show.show(rotated.responseLines)
        let fields = rotated.json
        guard rotated.status == 200, let access = fields["access_token"] else {
            show.set(2, .failed)
            return SceneOutcome(title, succeeded: false, "refresh answered \(rotated.status) \(fields["error"] ?? "")")
        }
        show.note("The old refresh token is spent; replaying it would revoke the whole family.")
        show.set(2, .done)
        try show.begin(3)
        let resource = try await app.resource(access)
        show.show(resource.requestLines + resource.responseLines)
        show.set(3, resource.status == 200 ? .done : .failed)
        return SceneOutcome(title, succeeded: resource.status == 200, "new pair issued; resource \(resource.status)",
                            tokens: .init(access: access, refresh: fields["refresh_token"]))
    }
}

/// Revocation (RFC 7009): after it, the resource server refuses the token.
struct RevocationScene {
    let stage: DemoStage
    let tokens: SceneOutcome.Tokens?
    let title = "Token revocation (RFC 7009)"

    static let steps = [
        DemoScreen.Step(1, "Revoke the access token", "application → authorization server"),
        DemoScreen.Step(2, "Request resource with it", "application → resource server"),
        DemoScreen.Step(3, "Refuse the resource", "resource server → application"),
    ]

    func play(_ show: DemoShow) async throws -> SceneOutcome {
        let app = DemoApplication(stage: stage)
        try show.scene(title, steps: Self.steps)
        guard let access = tokens?.access else {
            show.note("The application holds no access token: run the Authorization Code grant first.")
            show.set(1, .skipped("no access token"))
            return SceneOutcome(title, succeeded: false, "no access token to revoke")
        }
        try show.begin(1)
        let revoked = try await app.revoke(access)
        show.show(revoked.requestLines + revoked.responseLines)
        show.set(1, revoked.status == 200 ? .done : .failed)
        try show.begin(2)
        let resource = try await app.resource(access)
        show.show(resource.requestLines)
        show.set(2, .done)
        try show.begin(3)
        show.show(resource.responseLines)
        show.note("Revoked tokens fail at once: the resource server asks the same store.")
        let refused = resource.status == 401
        show.set(3, refused ? .done : .failed)
        return SceneOutcome(title, succeeded: revoked.status == 200 && refused,
                            "revoke \(revoked.status); resource then \(resource.status) \(resource.json["error"] ?? "")")
    }
}
