import TermAuthConsole

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
        return SceneOutcome(
            title, succeeded: revoked.status == 200 && refused,
            "revoke \(revoked.status); resource then \(resource.status) \(resource.json["error"] ?? "")")
    }
}
