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
