import TermAuthConsole

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
        return SceneOutcome(
            title, succeeded: resource.status == 200, "new pair issued; resource \(resource.status)",
            tokens: .init(access: access, refresh: fields["refresh_token"]))
    }
}
