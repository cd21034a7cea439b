import Foundation
import Synchronization
import TermAuthCore

/// Connections in progress, in all and per source address: past either bound a new connection
/// is closed before the handshake, so an unauthenticated caller cannot hold more.
final class ConnectionLimits: Sendable {
    private let counts = Mutex<(total: Int, bySource: [String: Int])>((0, [:]))
    let maxTotal: Int
    let maxPerSource: Int

    init(maxTotal: Int, maxPerSource: Int) {
        self.maxTotal = maxTotal
        self.maxPerSource = maxPerSource
    }

    /// Takes a place for `source`, or returns false when none is free.
    func enter(_ source: String) -> Bool {
        let key = AttemptKey.network(source)
        return counts.withLock { state in
            guard state.total < maxTotal, state.bySource[key, default: 0] < maxPerSource else { return false }
            state.total += 1
            state.bySource[key, default: 0] += 1
            return true
        }
    }

    func leave(_ source: String) {
        let key = AttemptKey.network(source)
        counts.withLock { state in
            state.total -= 1
            let left = state.bySource[key, default: 1] - 1
            state.bySource[key] = left > 0 ? left : nil
        }
    }
}
