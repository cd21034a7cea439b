import Foundation

/// What a person must see before approving a request by its code (RFC 8628 §5.4 and the
/// cross-device BCP against consent phishing): who asks, where the answer goes, where and when
/// the request came from, and the code itself. Every front end shows these same lines.
public struct ApprovalContext: Sendable, Equatable {
    public static let warning = "Deny if someone sent you this code."
    public static let nameMarker = " (name chosen by the client)"

    /// The client's name is whatever its registrant typed, so it is marked as such.
    public let clientName: String
    public let clientID: String
    /// The redirect's origin, or nil for a device (which polls for its answer instead).
    public let redirectOrigin: String?
    public let source: String
    public let ageSeconds: Int64
    public let approvalCode: String
    public let scope: String

    public init(_ pending: PendingAuthorization, now: Int64) {
        clientName = pending.client.name
        clientID = pending.client.id
        redirectOrigin = Self.origin(of: pending.request.redirectURI)
        source = pending.request.origin
        ageSeconds = max(0, now - pending.request.createdAt)
        approvalCode = pending.approvalCode
        scope = pending.request.scopes.string
    }

    /// Where the answer goes, in words.
    public var destination: String {
        redirectOrigin ?? "a device, which gets its answer when it next asks"
    }

    /// Label, value and a suffix of TermAuth's own, in the order every front end shows them.
    /// Values are untrusted text: each front end sanitises them, and cuts them to fit, where it
    /// draws them; the suffix stays whole.
    public var lines: [(label: String, value: String, suffix: String)] {
        [
            ("Application", clientName, Self.nameMarker),
            ("Client id", clientID, ""),
            ("Answer goes to", destination, ""),
            ("Requested", "\(Self.age(ageSeconds)) ago from \(source)", ""),
            ("Code", approvalCode, ""),
            ("Access to", scope.isEmpty ? "(no particular scope)" : scope, ""),
        ]
    }

    /// "https://host:port" of a redirect URI; a private-use scheme as itself; nil for none.
    public static func origin(of uri: String) -> String? {
        guard !uri.isEmpty else { return nil }
        guard let parts = URLComponents(string: uri), let scheme = parts.scheme else { return uri }
        guard let host = parts.host, !host.isEmpty else { return "\(scheme): (an app on this device)" }
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "\(scheme)://\(shownHost)" + (parts.port.map { ":\($0)" } ?? "")
    }

    public static func age(_ seconds: Int64) -> String {
        switch seconds {
        case ..<60: return "\(max(0, seconds))s"
        case ..<3600: return "\(seconds / 60)m"
        case ..<86400: return "\(seconds / 3600)h"
        default: return "\(seconds / 86400)d"
        }
    }
}
