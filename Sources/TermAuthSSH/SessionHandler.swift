import Logging
import NIOCore
import NIOPosix
import NIOSSH
import TermAuthCore

/// One SSH session channel: takes the pty and environment requests, then runs the screens in a
/// child process on a pseudo-terminal and copies bytes both ways. Everything here runs on the
/// connection's event loop.
final class SessionHandler: ChannelInboundHandler {
    typealias InboundIn = SSHChannelData
    typealias OutboundOut = SSHChannelData

    let termAuth: TermAuth
    let connection: Connection
    let launcher: SessionLauncher
    let logger: Logger
    private var terminal: (term: String, columns: Int, rows: Int)?
    private var environment: [String: String] = [:]
    private var process: SessionProcess?
    private var output: (any Channel)?
    private var started = false

    init(termAuth: TermAuth, connection: Connection, launcher: SessionLauncher, logger: Logger) {
        self.termAuth = termAuth
        self.connection = connection
        self.launcher = launcher
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        _ = context.channel.setOption(ChannelOptions.allowRemoteHalfClosure, value: true)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event {
        case let request as SSHChannelRequestEvent.PseudoTerminalRequest:
            let size = Self.bounded(columns: request.terminalCharacterWidth, rows: request.terminalRowHeight)
            terminal = (SessionEnvironment.isPlainWord(request.term) ? request.term : "xterm", size.columns, size.rows)
            reply(context, request.wantReply, ok: !started)
        case let request as SSHChannelRequestEvent.EnvironmentRequest:
            let ok =
                !started && SessionEnvironment.allowed(request.name, value: request.value)
                && (environment[request.name] != nil || environment.count < SessionEnvironment.maxVariables)
            if ok { environment[request.name] = request.value }
            reply(context, request.wantReply, ok: ok)
        case let request as SSHChannelRequestEvent.WindowChangeRequest:
            let size = Self.bounded(columns: request.terminalCharacterWidth, rows: request.terminalRowHeight)
            terminal?.columns = size.columns
            terminal?.rows = size.rows
            process?.resize(rows: size.rows, columns: size.columns)
        case let request as SSHChannelRequestEvent.ShellRequest:
            start(context, command: nil, wantReply: request.wantReply)
        case let request as SSHChannelRequestEvent.ExecRequest:
            start(context, command: request.command, wantReply: request.wantReply)
        case let request as SSHChannelRequestEvent.SubsystemRequest:
            // sftp and the like: there are no files here.
            reply(context, request.wantReply, ok: false)
        default:
            context.fireUserInboundEventTriggered(event)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let message = unwrapInboundIn(data)
        guard case .channel = message.type, case .byteBuffer(let bytes) = message.data, let output else { return }
        output.writeAndFlush(bytes, promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let process {
            // The connection dropped (or the child ended and we closed): nothing is decided for
            // the person; the child is hung up and reaped.
            process.hangUp()
            output?.close(promise: nil)
            Task { _ = await process.reap() }
        }
        context.fireChannelInactive()
    }

    /// ncurses keeps a buffer of the whole screen: a client claiming 30000×30000 cells would
    /// make the child hold gigabytes. No real terminal is bigger than this; 0 means "unknown".
    static func bounded(columns: Int, rows: Int) -> (columns: Int, rows: Int) {
        (columns > 0 ? min(columns, 1000) : 80, rows > 0 ? min(rows, 500) : 24)
    }

    /// A client that stops reading fills the SSH channel: then stop reading the child's screen
    /// output, so the pty fills and the child waits, instead of queueing here.
    func channelWritabilityChanged(context: ChannelHandlerContext) {
        output?.setOption(ChannelOptions.autoRead, value: context.channel.isWritable).whenFailure { _ in }
        context.fireChannelWritabilityChanged()
    }

    private func reply(_ context: ChannelHandlerContext, _ wantReply: Bool, ok: Bool) {
        guard wantReply else { return }
        context.triggerUserOutboundEvent(ok ? ChannelSuccessEvent() : ChannelFailureEvent(), promise: nil)
    }

    private func start(_ context: ChannelHandlerContext, command: String?, wantReply: Bool) {
        guard !started else { return reply(context, wantReply, ok: false) }
        started = true
        reply(context, wantReply, ok: true)
        let port = context.channel.parent?.localAddress?.port ?? 22
        let ssh = launcher.settings.command(listeningHost: launcher.listeningHost, port: port)
        guard let mode = SessionMode(command: command) else {
            return finish(context, "termauth runs no commands; use: \(ssh) [CODE | console]", status: 1)
        }
        guard let terminal else {
            return finish(context, "termauth shows its screens on a terminal; connect with: ssh -t \(ssh.dropFirst(4))", status: 1)
        }
        if mode == .console, connection.user?.user.isOperator != true {
            return finish(context, "the operator console is for operators signed in with an SSH key", status: 1)
        }
        var environment = launcher.environment
        for (name, value) in self.environment { environment[name] = value }
        environment["TERM"] = self.environment["TERM"] ?? terminal.term
        let arguments = launcher.arguments + ["--source", connection.source] + mode.arguments
        if let user = connection.user {
            do {
                environment["TERMAUTH_SSH_TICKET"] = try termAuth.sessionTickets.issue(for: user, source: connection.source)
            } catch {
                return finish(context, "cannot start the session", status: 1)
            }
        }
        let process: SessionProcess
        do {
            process = try SessionProcess.start(
                executable: launcher.executable, arguments: arguments, environment: environment, rows: terminal.rows, columns: terminal.columns)
        } catch {
            logger.error("ssh: \(error)")
            return finish(context, "cannot start the session", status: 1)
        }
        self.process = process
        logger.info("ssh: session for \(connection.user?.user.username ?? "a person signing in") from \(connection.source), child \(process.pid)")
        // Two descriptors of the master, so NIO's own dup can never fail (and crash) here.
        let input = process.master
        let output = dup(process.master)
        guard output >= 0 else {
            close(input)
            process.hangUp()
            return finish(context, "cannot start the session", status: 1)
        }
        let session = context.channel
        NIOPipeBootstrap(group: context.eventLoop)
            .channelOption(ChannelOptions.allowRemoteHalfClosure, value: false)
            .channelInitializer { pty in
                pty.eventLoop.makeCompletedFuture { try pty.pipeline.syncOperations.addHandler(TerminalOutput(session: session, process: process)) }
            }
            .takingOwnershipOfDescriptors(input: input, output: output)
            .hop(to: context.eventLoop)
            .assumeIsolated()
            .whenComplete { [self] result in
                switch result {
                case .success(let channel):
                    // The connection may have dropped while this was being set up.
                    guard session.isActive else { return channel.close(promise: nil) }
                    self.output = channel
                case .failure(let error):
                    logger.error("ssh: cannot read the session's terminal: \(error)")
                    close(input)
                    close(output)
                    process.hangUp()
                    session.close(promise: nil)
                }
            }
    }

    /// Ends a session that runs nothing: one line on stderr, an exit status, close.
    private func finish(_ context: ChannelHandlerContext, _ message: String, status: Int) {
        var buffer = context.channel.allocator.buffer(capacity: message.utf8.count + 2)
        buffer.writeString(message + "\r\n")
        context.writeAndFlush(wrapOutboundOut(SSHChannelData(type: .stdErr, data: .byteBuffer(buffer))), promise: nil)
        let channel = context.channel
        context.triggerUserOutboundEvent(SSHChannelRequestEvent.ExitStatus(exitStatus: status)).whenComplete { _ in
            channel.close(promise: nil)
        }
    }
}
