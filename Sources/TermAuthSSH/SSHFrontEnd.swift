import Logging
import NIOCore
import NIOPosix
import NIOSSH
import TermAuthCore

/// `termauth serve --ssh-port`: the terminal UI for anyone with OpenSSH. Each connection is
/// bounded (in all and per source, authentication attempts, idle time, total time); each
/// session runs the screens in a child process on a pseudo-terminal (`SessionHandler`).
public final class SSHFrontEnd: Sendable {
    public let host: String
    public let port: Int
    public let fingerprint: String
    private let listener: any Channel

    private init(host: String, port: Int, fingerprint: String, listener: any Channel) {
        self.host = host
        self.port = port
        self.fingerprint = fingerprint
        self.listener = listener
    }

    public static func start(
        termAuth: TermAuth, settings: Settings.SSH, host: String, port: Int, hostKey: HostKey, launcher: SessionLauncher, logger: Logger
    ) async throws -> SSHFrontEnd {
        let limits = ConnectionLimits(maxTotal: settings.maxSessions, maxPerSource: settings.maxSessionsPerSource)
        let key = hostKey.nioKey
        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                let source = channel.remoteAddress?.ipAddress ?? "unknown"
                guard limits.enter(source) else {
                    logger.notice("ssh: refused a connection from \(source): too many sessions")
                    return channel.close()
                }
                channel.closeFuture.whenComplete { _ in limits.leave(source) }
                let connection = Connection(source: source)
                // A connection that has not opened its session (so has not signed in) within the
                // sign-in time, or is older than the longest session, holds no place any longer.
                let signInDeadline = channel.eventLoop.scheduleTask(in: .seconds(Int64(settings.signInSeconds))) { channel.close(promise: nil) }
                let deadline = channel.eventLoop.scheduleTask(in: .seconds(Int64(settings.maxSessionSeconds))) { channel.close(promise: nil) }
                channel.closeFuture.whenComplete { _ in
                    signInDeadline.cancel()
                    deadline.cancel()
                }
                return channel.eventLoop.makeCompletedFuture {
                    var configuration = SSHServerConfiguration(
                        hostKeys: [key], userAuthDelegate: KeyAuthenticator(termAuth: termAuth, connection: connection))
                    configuration.maxAuthAttempts = settings.maxAuthAttempts
                    let ssh = NIOSSHHandler(
                        role: .server(configuration), allocator: channel.allocator,
                        inboundChildChannelInitializer: { child, type in
                            // Sessions only, one per connection: no port forwarding of any kind.
                            guard case .session = type, connection.openSession() else {
                                return child.eventLoop.makeFailedFuture(ChannelRefused())
                            }
                            signInDeadline.cancel()
                            return child.eventLoop.makeCompletedFuture {
                                try child.pipeline.syncOperations.addHandler(
                                    SessionHandler(termAuth: termAuth, connection: connection, launcher: launcher, logger: logger))
                            }
                        })
                    try channel.pipeline.syncOperations.addHandlers([
                        IdleStateHandler(readTimeout: .seconds(Int64(settings.idleTimeoutSeconds))), CloseWhenIdle(), ssh, CloseOnError(),
                    ])
                }
            }
            .bind(host: host, port: port)
            .get()
        let bound = listener.localAddress?.port ?? port
        return SSHFrontEnd(host: host, port: bound, fingerprint: hostKey.fingerprint, listener: listener)
    }

    public func close() async {
        try? await listener.close()
    }
}
