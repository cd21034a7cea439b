/// A device request's polling state (RFC 8628 §3.5): the interval it must keep and its last poll.
public struct DevicePollState: Sendable, Equatable {
    public var interval: Int64
    public var lastPolledAt: Int64?
    public init(interval: Int64, lastPolledAt: Int64?) {
        self.interval = interval
        self.lastPolledAt = lastPolledAt
    }
}

public enum DevicePoll: Sendable, Equatable {
    case inTime
    case slowDown(interval: Int64)
}

/// RFC 8628 §3.5: a device polling sooner than its interval is told `slow_down`, and the
/// interval grows by five seconds for every later poll too.
enum DevicePolling {
    static let slowDownStep: Int64 = 5

    static func poll(_ state: DevicePollState, now: Int64) -> (DevicePollState, DevicePoll) {
        if let last = state.lastPolledAt, now - last < state.interval {
            let longer = state.interval + slowDownStep
            return (DevicePollState(interval: longer, lastPolledAt: now), .slowDown(interval: longer))
        }
        return (DevicePollState(interval: state.interval, lastPolledAt: now), .inTime)
    }
}
