/// A space-delimited scope list (RFC 6749 §3.3): order-free, duplicates folded.
public struct ScopeSet: Sendable, Equatable, Hashable {
    public private(set) var names: [String]

    public init<S: Sequence>(_ names: S) where S.Element == String {
        var seen = Set<String>()
        self.names = names.filter { !$0.isEmpty && seen.insert($0).inserted }.sorted()
    }

    /// Parses the wire form, rejecting characters outside RFC 6749's scope-token grammar.
    public init(parsing raw: String) throws {
        let parts = raw.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        for part in parts where !part.unicodeScalars.allSatisfy(Self.isScopeChar) {
            throw TermAuthError.malformedParameter("scope", reason: "invalid character in scope token")
        }
        self.init(parts)
    }

    private static func isScopeChar(_ c: Unicode.Scalar) -> Bool {
        c == "\u{21}" || ("\u{23}"..."\u{5B}").contains(c) || ("\u{5D}"..."\u{7E}").contains(c)
    }

    public var isEmpty: Bool { names.isEmpty }
    public var string: String { names.joined(separator: " ") }
    public func contains(_ name: String) -> Bool { names.contains(name) }
    public func isSubset(of other: ScopeSet) -> Bool { Set(names).isSubset(of: other.names) }
    public func intersection(_ other: ScopeSet) -> ScopeSet { ScopeSet(names.filter(other.contains)) }
    public func union(_ other: ScopeSet) -> ScopeSet { ScopeSet(names + other.names) }
}
