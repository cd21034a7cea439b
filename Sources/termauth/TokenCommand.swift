import ArgumentParser
import TermAuthCore

struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Headless tokens.", subcommands: [Issue.self])

    struct Issue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Issue an access token directly, as the operator.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Client the token is issued to.") var client: String
        @Option(help: "User the token speaks for (default: none, like client credentials).") var user: String?
        @Option(name: .customLong("scope"), help: "Scope; repeat (default: the client's registered scopes).") var scopes: [String] = []
        @Option(help: "Lifetime in seconds (default: settings' access token lifetime).") var ttl: Int64?
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let response = try await global.open().admin.issueToken(clientID: client, username: user, scopes: ScopeSet(scopes), ttl: ttl)
            if json {
                Output.json(IssuedToken(access_token: response.accessToken, token_type: response.tokenType, expires_in: response.expiresIn, scope: response.scope.string))
            } else {
                Output.line(response.accessToken)
            }
        }
    }
}

struct IssuedToken: Encodable {
    let access_token: String
    let token_type: String
    let expires_in: Int64
    let scope: String
}
