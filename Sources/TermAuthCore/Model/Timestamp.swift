import Foundation

/// Unix seconds; the one clock unit stored and compared everywhere.
public enum Timestamp {
    public static func now() -> Int64 { Int64(Date().timeIntervalSince1970) }

    public static func iso8601(_ seconds: Int64) -> String {
        Date(timeIntervalSince1970: TimeInterval(seconds)).formatted(.iso8601)
    }
}

/// Unix seconds now, injected so tests can move time instead of sleeping. Not `Clock`, which
/// would shadow the standard library's.
public protocol WallClock: Sendable {
    func now() -> Int64
}

public struct SystemClock: WallClock {
    public init() {}
    public func now() -> Int64 { Timestamp.now() }
}
