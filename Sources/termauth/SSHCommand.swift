import ArgumentParser
import TermAuthCore
import TermAuthSSH

/// `termauth ssh`: what people need to trust the SSH front end before they connect.
struct SSHCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ssh", abstract: "The SSH front end's host key.", subcommands: [HostKeyCommand.self])

    struct HostKeyCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "host-key", abstract: "Print the SSH host key's fingerprint (made now if the server has not made it yet).")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let settings = try global.settings()
            let termAuth = try await global.open(settings: settings)
            Output.line(try HostKey.loadOrCreate(path: global.sshHostKeyPath(settings), wrap: termAuth.keyWrap).fingerprint)
        }
    }
}
