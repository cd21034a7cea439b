import Foundation
import TermAuthCore

/// The stores the core and HTTP suites run on: SQLite always, PostgreSQL whenever
/// `TERMAUTH_TEST_POSTGRES` names a server (`Tests/run-tests.sh` starts one). Tests take a
/// `TestStore` argument, so every store runs the same test, not a copy of it.
public enum TestStore: String, Sendable, CustomStringConvertible {
    case sqlite
    case postgres

    public static let postgresURL: String? = ProcessInfo.processInfo.environment["TERMAUTH_TEST_POSTGRES"].flatMap { $0.isEmpty ? nil : $0 }

    public static var all: [TestStore] { postgresURL == nil ? [.sqlite] : [.sqlite, .postgres] }

    public var description: String { rawValue }

    /// A core over a brand-new, empty database: a fresh file, or a fresh PostgreSQL schema.
    public func open(settings: Settings, clock: any WallClock = SystemClock()) async throws -> TermAuth {
        let directory = NSTemporaryDirectory() + "termauth-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        switch self {
        case .sqlite:
            return try TermAuth.open(database: directory + "/termauth.db", settings: settings, clock: clock)
        case .postgres:
            guard let base = Self.postgresURL else { throw TermAuthError.configuration("TERMAUTH_TEST_POSTGRES is not set") }
            let schema = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
            let url = base + (base.contains("?") ? "&" : "?") + "schema=\(schema)"
            return try await TermAuth.connect(database: url, settings: settings, defaultKeyFile: directory + "/approval.key", clock: clock)
        }
    }
}
