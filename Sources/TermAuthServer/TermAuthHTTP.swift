import Hummingbird
import HummingbirdTLS
import HummingbirdCore
import Logging
import NIOCore
import TermAuthCore

/// The HTTP front end over the core.
public enum TermAuthHTTP {
    /// `sshCommand`: how people reach the SSH front end (`ssh -p PORT HOST`), which the pages name when it runs.
    public static func buildRouter(_ termAuth: TermAuth, sshCommand: String? = nil) -> Router<TermAuthRequestContext> {
        let issuer = termAuth.issuer
        let router = Router(context: TermAuthRequestContext.self)
        router.add(middleware: RequestLogMiddleware())
        router.add(middleware: OAuthErrorMiddleware())
        AuthorizeRoutes(termAuth: termAuth, issuer: issuer, sshCommand: sshCommand).register(on: router)
        TokenRoute(termAuth: termAuth).register(on: router)
        ResourceRoute(termAuth: termAuth).register(on: router)
        MetadataRoute(termAuth: termAuth, issuer: issuer).register(on: router)
        DeviceRoutes(termAuth: termAuth, issuer: issuer, sshCommand: sshCommand).register(on: router)
        IntrospectionRoutes(termAuth: termAuth, issuer: issuer).register(on: router)
        KeySetRoute(termAuth: termAuth).register(on: router)
        UserInfoRoute(termAuth: termAuth).register(on: router)
        OpenAPIRoute().register(on: router)
        return router
    }

    /// The server application. `onListening` receives the bound `http://HOST:PORT`.
    /// With `settings.tlsCertificateFile` and `tlsKeyFile` it serves HTTPS only, and every URL it announces is https.
    public static func buildApplication(
        _ termAuth: TermAuth, host: String, port: Int, logger: Logger, sshCommand: String? = nil,
        onListening: @escaping @Sendable (String) async -> Void = { _ in }
    ) throws -> some ApplicationProtocol {
        let settings = termAuth.settings
        let issuer = termAuth.issuer
        let configured = settings.issuer != nil
        if !configured { issuer.set(settings.serverURL(host: host, port: port)) }
        var server = HTTPServerBuilder.http1(
            configuration: .init(
                additionalChannelHandlers: [RequestDeadlineHandler(deadline: .seconds(Int64(settings.bodyTimeoutSeconds)))],
                idleTimeout: .seconds(Int64(settings.idleTimeoutSeconds))))
        if let cert = settings.tlsCertificateFile, let key = settings.tlsKeyFile {
            server = try .tls(server, tlsConfiguration: TLSFiles.configuration(certificate: cert, key: key))
        }
        return Application(
            router: buildRouter(termAuth, sshCommand: sshCommand),
            server: server,
            configuration: .init(
                address: .hostname(host, port: port), serverName: "TermAuth",
                availableConnectionsDelegate: MaximumAvailableConnections(termAuth.settings.maxConnections)),
            onServerRunning: { channel in
                let bound = channel.localAddress?.port ?? port
                let url = settings.serverURL(host: host, port: bound)
                if !configured { issuer.set(url) }
                await onListening(url)
            },
            logger: logger)
    }
}
