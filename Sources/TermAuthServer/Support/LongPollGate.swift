import Foundation
import TermAuthCore

/// Bounds the `GET /authorize` requests held open until a person decides, in all and per
/// source address: each holds a connection and a task for up to the request's lifetime, and
/// anyone may start one. Past a bound the request is refused before anything is stored.
final class LongPollGate: @unchecked Sendable {
    private let lock = NSLock()
    private var total = 0
    private var perSource: [String: Int] = [:]
    let limit: Int
    let limitPerSource: Int

    init(limit: Int, limitPerSource: Int) {
        self.limit = limit
        self.limitPerSource = limitPerSource
    }

    /// Takes a place for `source`, or throws `.overloaded`; `leave` gives it back.
    func enter(_ source: String) throws {
        lock.lock()
        defer { lock.unlock() }
        guard total < limit else { throw TermAuthError.overloaded("requests waiting for a decision", retryAfter: 5) }
        guard perSource[source, default: 0] < limitPerSource else {
            throw TermAuthError.overloaded("requests waiting for a decision from this address", retryAfter: 5)
        }
        total += 1
        perSource[source, default: 0] += 1
    }

    func leave(_ source: String) {
        lock.lock()
        defer { lock.unlock() }
        total -= 1
        let left = perSource[source, default: 1] - 1
        perSource[source] = left > 0 ? left : nil
    }
}
