import ArgumentParser
import TermAuthCore

struct ConsentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consent", abstract: "Remembered consents.", subcommands: [List.self, Revoke.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List remembered consents.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Only this user's.") var user: String?
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let store = try await global.open().store
            var userID: String?
            if let user {
                guard let found = try await store.user(username: user) else { throw TermAuthError.notFound("user \(user)") }
                userID = found.id
            }
            let names = Dictionary(try await store.users().map { ($0.id, $0.username) }, uniquingKeysWith: { a, _ in a })
            let consents = try await store.consents(userID: userID)
            if json {
                Output.json(
                    consents.map {
                        ConsentSummary(
                            username: names[$0.userID] ?? $0.userID, client_id: $0.clientID, scope: $0.scopes.string, granted_at: $0.grantedAt)
                    })
                return
            }
            Output.table(
                ["USER", "CLIENT", "SCOPE", "SINCE"],
                consents.map {
                    [names[$0.userID] ?? $0.userID, $0.clientID, $0.scopes.string, Output.date($0.grantedAt)]
                })
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Forget a remembered consent; the next request asks again.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Username.") var user: String
        @Option(help: "Client id.") var client: String

        func run() async throws {
            try await global.open().admin.revokeConsent(username: user, clientID: client)
            Output.line("revoked consent of \(Output.safe(user)) for \(Output.safe(client))")
        }
    }
}

struct ConsentSummary: Encodable {
    let username: String
    let client_id: String
    let scope: String
    let granted_at: Int64
}
