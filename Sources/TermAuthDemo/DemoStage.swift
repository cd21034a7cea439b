import Foundation
import Hummingbird
import Logging
import TermAuthCore
import TermAuthServer

/// What the demo stands on: a database, the real authorization server on a free loopback port,
/// the demo application's loopback redirect listener, and the demo's client, user and scopes.
/// `stop()` takes it all down again, the temporary database included.
final class DemoStage: Sendable {
    static let username = "demo"
    static let appClientID = "demo-app"
    static let deviceClientID = "demo-device"
    static let scopes = [
        Scope(name: "profile", description: "Read your username and display name", required: true),
        Scope(name: "email", description: "Read your email address"),
        // Wide characters on purpose: the consent screen lays them out by display width.
        Scope(name: "photos", description: "查看你的照片 (view your photos)"),
    ]

    let termAuth: TermAuth
    let http = DemoHTTP()
    let server: URL
    let callback: URL
    let inbox: CallbackInbox
    let password: String
    let appSecret: String
    private let tasks: [Task<Void, any Error>]
    private let temporaryDirectory: URL?

    private init(
        termAuth: TermAuth, server: URL, callback: URL, inbox: CallbackInbox, password: String, appSecret: String,
        tasks: [Task<Void, any Error>], temporaryDirectory: URL?
    ) {
        self.termAuth = termAuth
        self.server = server
        self.callback = callback
        self.inbox = inbox
        self.password = password
        self.appSecret = appSecret
        self.tasks = tasks
        self.temporaryDirectory = temporaryDirectory
    }

    /// `database` nil: a fresh database in a temporary directory, removed by `stop()`.
    /// A given file must be new or hold only what an earlier demo put there: the demo resets
    /// its user's password and replaces its clients, which must never touch real data.
    static func start(database: String?, settings: Settings) async throws -> DemoStage {
        var temporary: URL?
        let path: String
        if let database {
            if database.hasPrefix("postgres://") || database.hasPrefix("postgresql://") {
                throw TermAuthError.configuration("the demo keeps its data in a SQLite file; give --db a file path")
            }
            path = database
        } else {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("termauth-demo-\(RandomToken.identifier())")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            temporary = directory
            path = directory.appendingPathComponent("demo.db").path
        }
        var settings = settings
        // Short enough that the device's polls are seen going by; RFC 8628 lets the server choose.
        settings.lifetimes.devicePollInterval = min(settings.lifetimes.devicePollInterval, 1)
        let termAuth = try TermAuth.open(database: path, settings: settings)
        if database != nil { try await refuseForeignData(termAuth, path: path) }
        let quiet = Logger(label: "termauth.demo") { _ in SwiftLogNoOpLogHandler() }

        let inbox = CallbackInbox()
        let (callbackPorts, callbackPort) = AsyncStream.makeStream(of: Int.self)
        let listener = Application(
            router: DemoApplication.callbackRouter(inbox: inbox),
            configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: "TermAuth demo application"),
            onServerRunning: { channel in callbackPort.yield(channel.localAddress?.port ?? 0) },
            logger: quiet)
        let listenerTask = Task {
            defer { callbackPort.finish() }
            try await listener.runService(gracefulShutdownSignals: [])
        }

        let (serverURLs, serverURL) = AsyncStream.makeStream(of: String.self)
        let app = try TermAuthHTTP.buildApplication(termAuth, host: "127.0.0.1", port: 0, logger: quiet, onListening: { serverURL.yield($0) })
        let serverTask = Task {
            defer { serverURL.finish() }
            try await app.runService(gracefulShutdownSignals: [])
        }
        let tasks = [listenerTask, serverTask]

        do {
            var ports = callbackPorts.makeAsyncIterator()
            var urls = serverURLs.makeAsyncIterator()
            guard let port = await ports.next(), port > 0, let serverText = await urls.next(), let server = URL(string: serverText) else {
                throw TermAuthError.configuration("the demo could not listen on 127.0.0.1")
            }
            let callback = URL(string: "http://127.0.0.1:\(port)/callback")!
            let (password, secret) = try await seed(termAuth, callback: callback)
            return DemoStage(
                termAuth: termAuth, server: server, callback: callback, inbox: inbox, password: password,
                appSecret: secret, tasks: tasks, temporaryDirectory: temporary)
        } catch {
            await Self.stop(tasks, temporary)
            throw error
        }
    }

    private static func refuseForeignData(_ termAuth: TermAuth, path: String) async throws {
        let clients = try await termAuth.store.clients().map(\.id).filter { $0 != appClientID && $0 != deviceClientID }
        let users = try await termAuth.store.users().map(\.username).filter { $0 != username }
        guard clients.isEmpty && users.isEmpty else {
            throw TermAuthError.invalidArgument(
                "\(path) holds clients or users of its own; the demo would reset its demo user and clients there. Give --db a new file")
        }
    }

    /// The demo's scopes, user and two clients. Re-running on a kept database (`--db`) replaces
    /// the clients, whose redirect URI names this run's port, and resets the password.
    private static func seed(_ termAuth: TermAuth, callback: URL) async throws -> (password: String, secret: String) {
        let admin = termAuth.admin
        let known = Set(try await termAuth.store.scopes().map(\.name))
        for scope in scopes where !known.contains(scope.name) { try await admin.addScope(scope) }

        let password = DemoPassword.make()
        if try await termAuth.store.user(username: username) == nil {
            _ = try await admin.addUser(username: username, displayName: "Demo User", password: password)
        } else {
            try await admin.setPassword(username: username, password: password)
        }
        for id in [appClientID, deviceClientID] where try await termAuth.store.client(id: id) != nil {
            try await admin.removeClient(id: id)
        }
        // The code grant asks for openid (and offline_access, for the refresh scene), which
        // every store has from the start.
        let names = [OpenIDScope.openid] + scopes.map(\.name) + [OpenIDScope.offlineAccess]
        let app = try await admin.addClient(
            ClientRegistration(
                id: appClientID, name: "TermAuth Demo App", isPublic: false, redirectURIs: [callback.absoluteString],
                // It also plays the resource server that checks tokens at /introspect.
                grantTypes: [.authorizationCode, .refreshToken, .clientCredentials], scopes: names, mayIntrospect: true))
        _ = try await admin.addClient(
            ClientRegistration(
                id: deviceClientID, name: "Demo TV", isPublic: true, redirectURIs: [], grantTypes: [.deviceCode, .refreshToken], scopes: names))
        guard let secret = app.secret else { throw TermAuthError.configuration("the demo application got no secret") }
        return (password, secret)
    }

    /// The demo's credentials, for the login screen: a demo has no secrets from its audience.
    var loginNotice: String { "Demo: user \(Self.username), password \(password)" }

    func stop() async {
        await http.invalidate()
        await Self.stop(tasks, temporaryDirectory)
    }

    private static func stop(_ tasks: [Task<Void, any Error>], _ temporaryDirectory: URL?) async {
        for task in tasks { task.cancel() }
        for task in tasks { _ = await task.result }
        if let temporaryDirectory { try? FileManager.default.removeItem(at: temporaryDirectory) }
    }
}
