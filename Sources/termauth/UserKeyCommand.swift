import ArgumentParser
import Foundation
import TermAuthCore

/// `termauth user key`: the SSH keys that sign a user in to the SSH front end.
struct UserKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key", abstract: "SSH keys that sign a user in over SSH (ed25519 or ECDSA).", subcommands: [Add.self, List.self, Remove.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Register a public key (an OpenSSH .pub line) for a user.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Username.") var username: String
        @Option(help: ArgumentHelp("The public key file, such as ~/.ssh/id_ed25519.pub; - reads standard input.", valueName: "path|-"))
        var file: String

        func run() async throws {
            let data: Data
            if file == "-" {
                data = FileHandle.standardInput.readDataToEndOfFile()
            } else {
                guard let read = FileManager.default.contents(atPath: file) else { throw TermAuthError.invalidArgument("cannot read \(file)") }
                data = read
            }
            guard data.count <= 16_384, let text = String(data: data, encoding: .utf8) else {
                throw TermAuthError.invalidArgument("\(file) is not a public key file")
            }
            let lines = text.split(whereSeparator: \.isNewline).map(String.init).filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
            guard lines.count == 1, let line = lines.first else {
                throw TermAuthError.invalidArgument("expected one public key line in \(file), found \(lines.count)")
            }
            let key = try await global.open().admin.addUserKey(username: username, line: line)
            Output.line("added \(key.type) key \(key.fingerprint) for \(Output.safe(username))")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a user's keys.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Username.") var username: String
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let keys = try await global.open().admin.userKeys(username: username)
            if json {
                Output.json(keys.map { KeySummary(fingerprint: $0.fingerprint, type: $0.type, comment: $0.comment, added_at: $0.createdAt) })
                return
            }
            Output.table(["FINGERPRINT", "TYPE", "COMMENT", "ADDED"], keys.map { [$0.fingerprint, $0.type, $0.comment, Output.date($0.createdAt)] })
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove one of a user's keys.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Username.") var username: String
        @Argument(help: "The key's fingerprint, SHA256:… as `user key list` shows it.") var fingerprint: String

        func run() async throws {
            try await global.open().admin.removeUserKey(username: username, fingerprint: fingerprint)
            Output.line("removed key \(fingerprint) of \(Output.safe(username))")
        }
    }
}

struct KeySummary: Encodable {
    let fingerprint: String
    let type: String
    let comment: String
    let added_at: Int64
}
