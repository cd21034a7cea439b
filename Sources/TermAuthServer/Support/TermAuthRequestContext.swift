import Hummingbird
import NIOCore

/// Request context carrying the peer address (shown to whoever approves a parked request)
/// and a body limit far below Hummingbird's default: OAuth requests are small.
public struct TermAuthRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
    }

    public var maxUploadSize: Int { 64 * 1024 }

    var peer: String {
        guard let address = remoteAddress else { return "unknown" }
        return address.ipAddress ?? address.description
    }
}
