/// Request parameters after RFC 6749 §3.1's rules: a parameter sent without a value is treated
/// as omitted, and none may appear more than once.
public struct OAuthParameters: Sendable, Equatable {
    public private(set) var values: [String: String] = [:]

    public init(pairs: [(String, String)]) throws(TermAuthError) {
        var seen = Set<String>()
        for (key, value) in pairs {
            guard seen.insert(key).inserted else { throw .repeatedParameter(key) }
            if !value.isEmpty { values[key] = value }
        }
    }

    public init(_ values: [String: String]) {
        self.values = values.filter { !$0.value.isEmpty }
    }

    public subscript(_ key: String) -> String? { values[key] }

    public func required(_ key: String) throws(TermAuthError) -> String {
        guard let value = values[key] else { throw .missingParameter(key) }
        return value
    }
}
