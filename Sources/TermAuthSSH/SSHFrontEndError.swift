/// A channel other than a session (port forwarding): refused at open.
struct ChannelRefused: Error {}

enum SSHFrontEndError: Error, CustomStringConvertible {
    case spawn(String)
    var description: String {
        switch self {
        case .spawn(let why): return why
        }
    }
}
