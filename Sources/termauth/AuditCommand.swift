import ArgumentParser
import TermAuthCore

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "audit", abstract: "Show the audit log.")
    @OptionGroup var global: GlobalOptions
    @Option(help: "How many recent events.") var limit = 50
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let events = try await global.open().store.recentAudit(limit: max(1, min(limit, 10_000)))
        if json {
            Output.json(
                events.map {
                    AuditSummary(
                        at: $0.at, kind: $0.kind.rawValue, client_id: $0.clientID, username: $0.username.map(Output.safe),
                        detail: Output.safe($0.detail), origin: $0.origin.map(Output.safe))
                })
            return
        }
        Output.table(
            ["TIME", "EVENT", "CLIENT", "USER", "FROM", "DETAIL"],
            events.map {
                [Output.date($0.at), $0.kind.rawValue, $0.clientID ?? "", $0.username ?? "", $0.origin ?? "", $0.detail]
            })
    }
}

struct AuditSummary: Encodable {
    let at: Int64
    let kind: String
    let client_id: String?
    let username: String?
    let detail: String
    let origin: String?
}
