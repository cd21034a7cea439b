import TermAuthConsole
import TermAuthCore

/// `termauth demo`: the seed's grant end to end against a real server in this process, then the
/// other grants on request (or all of them, in auto mode), then a summary.
public final class Demo {
    let stage: DemoStage

    private init(stage: DemoStage) { self.stage = stage }

    /// Starts the server and the demo application, and registers the demo's client, user and scopes.
    public static func prepare(database: String?, settings: Settings) async throws -> Demo {
        Demo(stage: try await DemoStage.start(database: database, settings: settings))
    }

    public var serverURL: String { stage.server.absoluteString }

    /// Plays until the person quits (or, in auto mode, until every scene has run and they quit).
    public func play(on terminal: any Terminal, theme: Theme, configuration: DemoConfiguration) async throws -> [SceneOutcome] {
        let show = DemoShow(
            terminal: terminal, theme: theme, configuration: configuration,
            facts: "server \(serverURL) · user \(DemoStage.username) · password \(stage.password)")
        var outcomes: [SceneOutcome] = []
        var tokens: SceneOutcome.Tokens?
        var runs = 0
        do {
            /// A scene that fails (a request expired on the login screen, a timeout) is recorded
            /// and shown; only q ends the demo.
            func record(_ play: () async throws -> SceneOutcome) async throws {
                let outcome: SceneOutcome
                do { outcome = try await play() } catch let quit as DemoQuit { throw quit } catch {
                    show.show([.init(.failure, "Stopped: \(error)")])
                    outcome = SceneOutcome(show.screen.heading, succeeded: false, "stopped: \(error)")
                }
                outcomes.append(outcome)
                if let fresh = outcome.tokens { tokens = fresh }
            }
            runs += 1
            try await record { try await CodeGrantScene(stage: stage, run: runs).play(show) }
            if configuration.mode == .auto {
                runs += 1
                try await record { try await CodeGrantScene(stage: stage, run: runs).play(show) }
                try await record { try await DeviceFlowScene(stage: stage).play(show) }
                try await record { try await ClientCredentialsScene(stage: stage).play(show) }
                try await record { try await RefreshScene(stage: stage, tokens: tokens).play(show) }
                try await record { try await RevocationScene(stage: stage, tokens: tokens).play(show) }
                try summarise(outcomes, on: show)
                _ = try show.choose("demo complete · q quit", [])
            }
            while true {
                let choice = try show.choose(
                    "r again · d device · c client · f refresh · x revoke · s summary · q quit",
                    ["r", "d", "c", "f", "x", "s"])
                switch choice {
                case "r":
                    runs += 1
                    try await record { try await CodeGrantScene(stage: stage, run: runs).play(show) }
                case "d": try await record { try await DeviceFlowScene(stage: stage).play(show) }
                case "c": try await record { try await ClientCredentialsScene(stage: stage).play(show) }
                case "f": try await record { try await RefreshScene(stage: stage, tokens: tokens).play(show) }
                case "x": try await record { try await RevocationScene(stage: stage, tokens: tokens).play(show) }
                default: try summarise(outcomes, on: show)
                }
            }
        } catch is DemoQuit {
            return outcomes
        }
    }

    /// Every scene so far as a list of steps, with how it ended.
    private func summarise(_ outcomes: [SceneOutcome], on show: DemoShow) throws {
        let steps = outcomes.enumerated().map { i, outcome in
            var step = DemoScreen.Step(i + 1, outcome.title, "")
            step.state = outcome.succeeded ? .done : .failed
            return step
        }
        try show.scene("Summary", steps: steps)
        show.screen.detailTitle = "What happened"
        show.show(
            outcomes.enumerated().map { i, outcome in
                DemoScreen.Line(outcome.succeeded ? .success : .failure, "\(i + 1) \(outcome.summary)")
            })
        show.note("Every request went over HTTP to the real server at \(serverURL).")
    }

    public func stop() async { await stage.stop() }
}
