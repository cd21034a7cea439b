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
            terminal = (request.term, request.terminalCharacterWidth, request.terminalRowHeight)
            reply(context, request.wantReply, ok: !started)
        case let request as SSHChannelRequestEvent.EnvironmentRequest:
            let ok = SessionEnvironment.allowed(request.name) && request.value.utf8.count <= 256
            if ok { environment[request.name] = request.value }
            reply(context, request.wantReply, ok: ok)
        case let request as SSHChannelRequestEvent.WindowChangeRequest:
            terminal?.columns = request.terminalCharacterWidth
            terminal?.rows = request.terminalRowHeight
            process?.resize(rows: request.terminalRowHeight, columns: request.terminalCharacterWidth)
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
        let session = context.channel
        NIOPipeBootstrap(group: context.eventLoop)
            .channelOption(ChannelOptions.allowRemoteHalfClosure, value: false)
            .channelInitializer { pty in
                pty.eventLoop.makeCompletedFuture { try pty.pipeline.syncOperations.addHandler(TerminalOutput(session: session, process: process)) }
            }
            .takingOwnershipOfDescriptor(inputOutput: process.master)
            .hop(to: context.eventLoop)
            .assumeIsolated()
            .whenComplete { [self] result in
                switch result {
                case .success(let channel): output = channel
                case .failure(let error):
                    logger.error("ssh: cannot read the session's terminal: \(error)")
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

/// The child's screen output, from the pty master to the SSH channel. When the child ends (the
/// master reads EOF or EIO), the session gets its exit status and closes.
final class TerminalOutput: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    let session: any Channel
    let process: SessionProcess

    init(session: any Channel, process: SessionProcess) {
        self.session = session
        self.process = process
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        session.writeAndFlush(SSHChannelData(type: .channel, data: .byteBuffer(unwrapInboundIn(data))), promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // EIO: every holder of the pty's slave side has closed it, the child has ended.
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        let session = self.session
        let process = self.process
        Task {
            let status = await process.reap()
            session.triggerUserOutboundEvent(SSHChannelRequestEvent.ExitStatus(exitStatus: Int(status))).whenComplete { _ in
                session.close(promise: nil)
            }
        }
    }
}
