import ArgumentParser
import TermAuthCore

struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Manage resource owners (people who sign in).",
        subcommands: [Add.self, List.self, Remove.self, Passwd.self, SetCommand.self, UserKeyCommand.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a user.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Username.") var username: String
        @Option(help: "Name shown to the user.") var displayName: String?
        @Flag(help: "Read the password from standard input (one line).") var passwordStdin = false
        @Flag(help: "May open the operator console over SSH (after signing in with a registered key).") var `operator` = false
        @Option(help: "Email address (the OpenID Connect email claim).") var email: String?
        @Flag(help: "The email address is known to be the user's (email_verified).") var emailVerified = false

        func run() async throws {
            if emailVerified && email == nil { throw ValidationError("--email-verified needs --email") }
            let termAuth = try await global.open()
            let password = try PasswordInput.read(fromStdin: passwordStdin, prompt: "Password for \(username): ", confirm: true)
            let user = try await termAuth.admin.addUser(
                username: username, displayName: displayName, password: password, isOperator: `operator`, email: email,
                emailVerified: emailVerified)
            Output.line("added user \(Output.safe(user.username))")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List users.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let termAuth = try await global.open()
            var rows: [(user: User, lockedUntil: Int64?)] = []
            for user in try await termAuth.store.users() { rows.append((user, try await termAuth.admin.lockedUntil(username: user.username))) }
            if json {
                Output.json(
                    rows.map {
                        UserSummary(
                            sub: $0.user.id, username: $0.user.username, display_name: $0.user.displayName, email: $0.user.email,
                            email_verified: $0.user.emailVerified, locked: $0.lockedUntil != nil, operator: $0.user.isOperator)
                    })
                return
            }
            Output.table(
                ["USERNAME", "NAME", "STATUS", "ROLE"],
                rows.map { row in
                    [
                        row.user.username, row.user.displayName, row.lockedUntil.map { "locked until \(Output.date($0))" } ?? "active",
                        row.user.isOperator ? "operator" : "",
                    ]
                })
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a user with their tokens and consents.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Username.") var username: String

        func run() async throws {
            try await global.open().admin.removeUser(username: username)
            Output.line("removed user \(Output.safe(username))")
        }
    }

    struct Passwd: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set a user's password (also lifts a lockout).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Username.") var username: String
        @Flag(help: "Read the password from standard input (one line).") var passwordStdin = false

        func run() async throws {
            let termAuth = try await global.open()
            let password = try PasswordInput.read(fromStdin: passwordStdin, prompt: "New password for \(username): ", confirm: true)
            try await termAuth.admin.setPassword(username: username, password: password)
            Output.line("password changed for \(Output.safe(username))")
        }
    }
}

extension UserCommand {
    struct SetCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set", abstract: "Change a user's display name, email or operator mark.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Username.") var username: String
        @Option(help: "Name shown to the user.") var displayName: String?
        @Flag(inversion: .prefixedNo, help: "May open the operator console over SSH (after signing in with a registered key).")
        var `operator`: Bool?
        @Option(help: "Email address; an empty value removes it. A new address is unverified until --email-verified.") var email: String?
        @Flag(inversion: .prefixedNo, help: "Whether the email address is known to be the user's.") var emailVerified: Bool?

        func run() async throws {
            let user = try await global.open().admin.updateUser(
                username: username, displayName: displayName, isOperator: `operator`, email: email, emailVerified: emailVerified)
            Output.line("updated user \(Output.safe(user.username))\(user.isOperator ? " (operator)" : "")")
        }
    }
}

struct UserSummary: Encodable {
    let sub: String
    let username: String
    let display_name: String
    let email: String?
    let email_verified: Bool
    let locked: Bool
    let `operator`: Bool
}
