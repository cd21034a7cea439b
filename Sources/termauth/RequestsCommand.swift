import ArgumentParser
import TermAuthCore

struct RequestsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "requests", abstract: "Parked authorization requests waiting for a person.",
        subcommands: [List.self], defaultSubcommand: List.self)

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List pending requests with their approval codes.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let pending = try await global.open().flow.pendingRequests()
            let now = Timestamp.now()
            if json {
                Output.json(pending.map(PendingSummary.init))
                return
            }
            if pending.isEmpty {
                Output.line("no pending requests")
                return
            }
            Output.table(
                ["CODE", "CLIENT", "SCOPE", "AGE", "FROM"],
                pending.map { p in
                    [p.approvalCode, "\(p.client.name) (\(p.client.id))", p.request.scopes.string, "\(now - p.request.createdAt)s", p.request.origin]
                })
        }
    }
}

struct PendingSummary: Encodable {
    let approval_code: String
    let client_id: String
    let client_name: String
    let scope: String
    let redirect_uri: String
    let origin: String
    let created_at: Int64
    let expires_at: Int64

    init(_ p: PendingAuthorization) {
        approval_code = p.approvalCode
        client_id = p.client.id
        client_name = Sanitized.line(p.client.name)
        scope = p.request.scopes.string
        redirect_uri = p.request.redirectURI
        origin = p.request.origin
        created_at = p.request.createdAt
        expires_at = p.request.expiresAt
    }
}
