/// How one scene of the demo ended, for the closing summary.
public struct SceneOutcome: Sendable {
    public let title: String
    public let succeeded: Bool
    public let summary: String
    /// Tokens the application holds afterwards, for the refresh and revocation scenes.
    var tokens: Tokens?

    struct Tokens: Sendable {
        let access: String
        let refresh: String?
    }

    init(_ title: String, succeeded: Bool, _ summary: String, tokens: Tokens? = nil) {
        self.title = title
        self.succeeded = succeeded
        self.summary = summary
        self.tokens = tokens
    }
}
