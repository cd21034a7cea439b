import Synchronization

/// The issuer identifier. With `--port 0` the real port is known only once the server listens,
/// so it is settable once, after startup.
public final class IssuerURL: Sendable {
    private let storage: Mutex<String>

    public init(_ value: String) { storage = Mutex(value) }

    public var value: String { storage.withLock { $0 } }

    public func set(_ value: String) { storage.withLock { $0 = value } }
}
