import ArgumentParser
import TermAuthCore

struct ClientCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "client", abstract: "Register and manage OAuth clients.",
        subcommands: [Add.self, List.self, Remove.self, ResetSecret.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Register a client; prints its secret once.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Display name shown on the consent screen.") var name: String
        @Option(help: "Client id (default: random).") var id: String?
        @Flag(help: "A public client (native app, CLI): no secret, PKCE required.") var `public` = false
        @Option(name: .customLong("redirect-uri"), help: "Registered redirect URI; repeat for several.") var redirectURIs: [String] = []
        @Option(name: .customLong("grant"), help: "Allowed grant type; repeat (default: authorization_code refresh_token).")
        var grants: [String] = []
        @Option(name: .customLong("scope"), help: "Scope the client may request; repeat (default: any registered scope).")
        var scopes: [String] = []
        @Flag(help: "Do not require PKCE from this confidential client (not recommended).") var noPkce = false
        @Flag(help: "Accept the PKCE plain method from this client (not recommended).") var allowPlainPkce = false
        @Flag(help: "Let this confidential client call /introspect (a resource server).") var introspect = false
        @Option(name: .customLong("id-token-alg"), help: "How its ID tokens are signed: RS256 (default) or ES256.") var idTokenAlg = "RS256"
        @Option(help: "Access tokens: opaque (default) or jwt (RFC 9068).") var accessTokenFormat = "opaque"
        @Option(name: .customLong("resource"), help: "RFC 8707 resource the client may name as its tokens' audience; repeat.")
        var resources: [String] = []
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let idTokenAlgorithm = try SigningAlgorithm.parse(idTokenAlg)
            guard let format = AccessTokenFormat(rawValue: accessTokenFormat.lowercased()) else {
                throw ValidationError("--access-token-format must be opaque or jwt")
            }
            var grantTypes: [GrantType] = []
            for name in grants { grantTypes.append(try GrantType.parse(name)) }
            for grant in grantTypes where grant == .implicit || grant == .password {
                Output.notice(
                    "warning: RFC 9700 (OAuth 2.0 Security BCP) advises against the \(grant.rawValue) grant; enable it only for clients that cannot use the authorization code grant with PKCE"
                )
            }
            let termAuth = try await global.open()
            var registration = ClientRegistration(
                id: id, name: name, isPublic: self.public, redirectURIs: redirectURIs,
                grantTypes: grantTypes.isEmpty ? GrantType.defaults : grantTypes, scopes: scopes,
                requirePKCE: !noPkce, allowPlainPKCE: allowPlainPkce, mayIntrospect: introspect)
            registration.idTokenAlgorithm = idTokenAlgorithm
            registration.accessTokenFormat = format
            registration.resources = resources
            let (client, secret) = try await termAuth.admin.addClient(registration)
            if json {
                var out = ["client_id": client.id]
                if let secret { out["client_secret"] = secret }
                Output.json(out)
                return
            }
            Output.line("client_id:     \(client.id)")
            if let secret {
                Output.line("client_secret: \(secret)")
                Output.notice("the secret is shown only now; store it safely (termauth client reset-secret makes a new one)")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List clients.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let clients = try await global.open().store.clients()
            if json {
                Output.json(clients.map(ClientSummary.init))
                return
            }
            Output.table(
                ["ID", "NAME", "TYPE", "GRANTS", "REDIRECT URIS"],
                clients.map { c in
                    [
                        c.id, c.name, c.isPublic ? "public" : "confidential", c.grantTypes.map(\.rawValue).joined(separator: " "),
                        c.redirectURIs.joined(separator: " "),
                    ]
                })
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a client with its tokens, codes and consents.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Client id.") var id: String

        func run() async throws {
            try await global.open().admin.removeClient(id: id)
            Output.line("removed client \(Output.safe(id))")
        }
    }

    struct ResetSecret: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "reset-secret", abstract: "Replace a client's secret; prints the new one once.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Client id.") var id: String
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let secret = try await global.open().admin.resetClientSecret(id: id)
            if json { Output.json(["client_id": id, "client_secret": secret]) } else { Output.line("client_secret: \(secret)") }
        }
    }
}

struct ClientSummary: Encodable {
    let client_id: String
    let name: String
    let type: String
    let redirect_uris: [String]
    let grant_types: [String]
    let scopes: [String]
    let require_pkce: Bool
    let id_token_signed_response_alg: String
    let access_token_format: String
    let resources: [String]

    init(_ c: Client) {
        client_id = c.id
        name = c.name
        type = c.isPublic ? "public" : "confidential"
        redirect_uris = c.redirectURIs
        grant_types = c.grantTypes.map(\.rawValue)
        scopes = c.scopes
        require_pkce = c.mustUsePKCE
        id_token_signed_response_alg = c.idTokenAlgorithm.rawValue
        access_token_format = c.accessTokenFormat.rawValue
        resources = c.resources
    }
}
