import Foundation

/// How a redirect URI is shown to a person: the host (and port) is what tells a real client
/// from an impostor, so that is what the screens show.
enum RedirectDisplay {
    static func host(of uri: String) -> String {
        guard let parts = URLComponents(string: uri) else { return uri }
        if let host = parts.host, !host.isEmpty {
            return host + (parts.port.map { ":\($0)" } ?? "")
        }
        return parts.scheme.map { "\($0): (an app on this device)" } ?? uri
    }
}
