import ArgumentParser
import TermAuthServer
import TermAuthCore

struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Headless tokens.", subcommands: [Issue.self, Introspect.self, Revoke.self])

    struct Introspect: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show what a token stands for (RFC 7662 fields).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The access or refresh token.") var token: String
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let r = try await global.open().introspection.introspect(token)
            if json {
                Output.json(IntrospectionBody(r, issuer: try global.settings().issuer))
            } else if r.active {
                Output.line(
                    "active: \(r.tokenType ?? "") for client \(Output.safe(r.clientID))\(r.username.map { ", user \(Output.safe($0))" } ?? "")")
                Output.line("scope: \(r.scope ?? "")")
                Output.line("expires: \(r.expiresAt.map(Output.date) ?? "")")
            } else {
                Output.line("inactive")
            }
            if !r.active { throw ExitCode(1) }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token (a refresh token takes its whole family with it).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The access or refresh token.") var token: String

        func run() async throws {
            let count = try await global.open().revocation.revoke(token, by: nil, origin: "cli")
            Output.line(count == 0 ? "no active token matched; nothing to revoke" : "revoked \(count) token\(count == 1 ? "" : "s")")
        }
    }

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
                Output.json(
                    IssuedToken(
                        access_token: response.accessToken, token_type: response.tokenType, expires_in: response.expiresIn,
                        scope: response.scope.string))
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
