import Foundation
import Synchronization

/// Values kept for a moment and then loaded again: `CachingStore`'s clients and scope names.
final class ShortLivedCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private let entries = Mutex<[Key: (value: Value, expires: UInt64)]>([:])
    private let lifetime: UInt64

    init(lifetimeMilliseconds: UInt64) { lifetime = lifetimeMilliseconds * 1_000_000 }

    func value(_ key: Key, orLoad load: () async throws -> Value) async rethrows -> Value {
        let now = DispatchTime.now().uptimeNanoseconds
        if let hit = entries.withLock({ $0[key] }), hit.expires > now { return hit.value }
        let fresh = try await load()
        entries.withLock { table in
            if table.count > 10_000 { table.removeAll() } // bounded: ids come from the network
            table[key] = (fresh, now + lifetime)
        }
        return fresh
    }

    func invalidate(_ key: Key) { _ = entries.withLock { $0.removeValue(forKey: key) } }
    func invalidateAll() { entries.withLock { $0.removeAll() } }
}
