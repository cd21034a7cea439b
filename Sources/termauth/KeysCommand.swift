import ArgumentParser
import TermAuthCore

struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "The keys ID tokens and JWT access tokens are signed with.",
        subcommands: [List.self, Rotate.self, Retire.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the published signing keys (a new store gets its first ones).")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let (keys, unusable) = try await global.open().signingKeys.list()
            if json {
                Output.json(keys.map { SigningKeySummary($0, usable: !unusable.contains($0.kid)) })
                return
            }
            Output.table(
                ["KID", "ALG", "STATUS", "CREATED"],
                keys.map { k in
                    [
                        k.kid, k.algorithm.rawValue,
                        (unusable.contains(k.kid) ? "NOT USABLE with this key file; " : "")
                            + (k.isSigning ? "signing" : "retired, published until \(k.publishUntil.map(Output.date) ?? "?")"),
                        Output.date(k.createdAt),
                    ]
                })
        }
    }

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sign with new keys from now on; the old ones stay published until their tokens expire.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Rotate only this algorithm: RS256 or ES256 (default: both).") var alg: String?

        func run() async throws {
            let algorithm = try alg.map(SigningAlgorithm.parse)
            for key in try await global.open().signingKeys.rotate(algorithm) {
                Output.line("\(key.algorithm.rawValue) now signs with \(key.kid)")
            }
        }
    }

    struct Retire: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Withdraw a key at once (say it leaked): unpublished, so nothing it signed verifies any more.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The key's kid (termauth keys list); put `--` before one that starts with \"-\".") var kid: String

        func run() async throws {
            try await global.open().signingKeys.retire(kid: kid)
            Output.line("withdrew signing key \(Output.safe(kid))")
        }
    }
}

struct SigningKeySummary: Encodable {
    let kid: String
    let alg: String
    let status: String
    let created_at: Int64
    let retired_at: Int64?
    let publish_until: Int64?
    /// False when this installation's key file does not open it (or its row is damaged).
    let usable: Bool

    init(_ k: SigningKey, usable: Bool) {
        self.usable = usable
        kid = k.kid
        alg = k.algorithm.rawValue
        status = k.isSigning ? "signing" : "retired"
        created_at = k.createdAt
        retired_at = k.retiredAt
        publish_until = k.publishUntil
    }
}
