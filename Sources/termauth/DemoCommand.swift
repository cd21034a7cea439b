import ArgumentParser
import Foundation
import TermAuthConsole
import TermAuthCore
import TermAuthDemo

/// `termauth demo`: the seed's eight steps, live, in one terminal.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Show OAuth end to end: a real server, application, browser and device in one terminal.",
        discussion: """
            Starts the server on a free loopback port with a fresh temporary database (--db keeps it), \
            registers a demo application, user and scopes, and plays the Authorization Code grant \
            step by step. Type the login and consent yourself; afterwards run it again or try the \
            other grants. q quits at any point.
            """)

    /// `--db` here keeps the demo's data; without it the demo uses a fresh temporary database
    /// and ignores $TERMAUTH_DB, so it never touches a real installation.
    @OptionGroup var global: GlobalOptions

    @OptionGroup var themeOptions: ThemeOptions

    @Flag(help: "Play everything unattended at a readable pace, typing the demo credentials itself.")
    var auto = false

    @Flag(help: "Wait for a key before each step (for presenters).")
    var step = false

    @Option(help: ArgumentHelp("Pause before each step, in milliseconds.", valueName: "ms"))
    var pace = 1500

    func validate() throws {
        if auto && step { throw ValidationError("--auto and --step cannot be combined") }
        if !(10...60000).contains(pace) { throw ValidationError("--pace must be 10 to 60000 milliseconds") }
    }

    func run() async throws {
        let theme = try themeOptions.load()
        let demo = try await Demo.prepare(database: global.db, settings: try global.settings())
        let mode: DemoMode = auto ? .auto : (step ? .step : .live)
        let outcomes: [SceneOutcome]
        do {
            outcomes = try await TerminalUI.with(theme: theme) { terminal in
                try await demo.play(on: terminal, theme: theme, configuration: DemoConfiguration(mode: mode, paceMilliseconds: pace))
            }
        } catch {
            await demo.stop()
            throw error
        }
        await demo.stop()
        for outcome in outcomes {
            Output.line("\(outcome.succeeded ? "ok  " : "FAIL") \(outcome.title): \(Output.safe(outcome.summary))")
        }
        if let db = global.db { Output.line("the demo's data stays in \(db); see it with: termauth audit --db \(db)") }
    }
}
