import ArgumentParser
import Foundation
import TermAuthCore

/// The `termauth` command. Exit codes: 0 ok, 1 refused or failed, 2 usage.
@main
struct Termauth: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "termauth",
        abstract: "An OAuth 2.0 authorization server whose login and consent live in the terminal.",
        subcommands: [
            DemoCommand.self, ServeCommand.self, ClientCommand.self, UserCommand.self, ScopeCommand.self, RequestsCommand.self,
            ApproveCommand.self, AuthorizeCommand.self, ConsoleCommand.self, DeviceCommand.self, TokenCommand.self, ConsentCommand.self,
            AuditCommand.self, SSHCommand.self, KeysCommand.self,
            MigrateCommand.self, SSHSessionCommand.self,
        ])

    static func main() async {
        let command: any ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            exitForArguments(error)
        }
        do {
            if var async = command as? any AsyncParsableCommand {
                try await async.run()
            } else {
                var sync = command
                try sync.run()
            }
        } catch let error as TermAuthError {
            Output.error(error.description)
            Foundation.exit(Output.exitCode(for: error))
        } catch let error as ExitCode {
            Foundation.exit(error.rawValue)
        } catch {
            // `--help` and `help SUB` arrive here as a command whose run throws the help text.
            if exitCode(for: error) == .success || error is ValidationError { exitForArguments(error) }
            Output.error("\(error)")
            Foundation.exit(1)
        }
    }

    /// Help on stdout with 0; a usage error on stderr with 2.
    private static func exitForArguments(_ error: any Error) -> Never {
        if exitCode(for: error) == .success {
            print(fullMessage(for: error))
            Foundation.exit(0)
        }
        FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
        Foundation.exit(2)
    }
}
