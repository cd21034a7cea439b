import NIOCore

/// A protocol error, a refused authentication past the limit, a dropped peer: close, log nothing loud.
final class CloseOnError: ChannelInboundHandler {
    typealias InboundIn = Any

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
