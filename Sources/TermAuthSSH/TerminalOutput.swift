import NIOCore
import NIOSSH

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

    /// A child that stops reading its keys fills the pty: then stop reading from the client, so
    /// its SSH window closes, instead of queueing here.
    func channelWritabilityChanged(context: ChannelHandlerContext) {
        session.setOption(ChannelOptions.autoRead, value: context.channel.isWritable).whenFailure { _ in }
        context.fireChannelWritabilityChanged()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Usually EIO, when the child has ended and no one holds the pty's slave side any more.
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
