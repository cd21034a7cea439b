import ArgumentParser
import TermAuthCore

struct ScopeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scope", abstract: "Manage scopes (the permissions on the consent screen).",
        subcommands: [Add.self, List.self, Remove.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add or update a scope.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Scope name, as clients request it.") var name: String
        @Option(help: "What the scope allows, shown on the consent screen.") var description: String
        @Option(name: .customLong("translation"), help: "LANG=TEXT description in another language; repeat.") var translations: [String] = []
        @Flag(help: "Always granted when requested; the user cannot untick it.") var required = false

        func run() async throws {
            var byLanguage: [String: String] = [:]
            for t in translations {
                let parts = t.split(separator: "=", maxSplits: 1)
                guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                    throw TermAuthError.invalidArgument("--translation must look like LANG=TEXT, got \(t)")
                }
                byLanguage[String(parts[0])] = String(parts[1])
            }
            try await global.open().admin.addScope(Scope(name: name, description: description, translations: byLanguage, required: required))
            Output.line("saved scope \(Output.safe(name))")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List scopes.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let scopes = try await global.open().store.scopes()
            if json {
                Output.json(
                    scopes.map {
                        ScopeSummary(
                            name: $0.name, description: Sanitized.line($0.description),
                            translations: $0.translations.mapValues { Sanitized.line($0) }, required: $0.required)
                    })
                return
            }
            Output.table(["NAME", "REQUIRED", "DESCRIPTION"], scopes.map { [$0.name, $0.required ? "yes" : "no", $0.description] })
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a scope.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Scope name.") var name: String

        func run() async throws {
            guard try await global.open().store.removeScope(name: name) else { throw TermAuthError.notFound("scope \(name)") }
            Output.line("removed scope \(Output.safe(name))")
        }
    }
}

struct ScopeSummary: Encodable {
    let name: String
    let description: String
    let translations: [String: String]
    let required: Bool
}
