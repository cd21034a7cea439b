public struct Scope: Sendable, Equatable {
    public var name: String
    public var description: String
    /// Descriptions keyed by BCP 47 language tag ("zh", "de-CH").
    public var translations: [String: String]
    /// Required scopes are granted whenever requested; the user cannot untick them.
    public var required: Bool

    public init(name: String, description: String, translations: [String: String] = [:], required: Bool = false) {
        self.name = name
        self.description = description
        self.translations = translations
        self.required = required
    }

    /// Best description for a language tag: exact tag, then its primary subtag, then the default.
    public func description(for language: String?) -> String {
        guard let language, !language.isEmpty else { return description }
        let tag = language.replacingOccurrences(of: "_", with: "-").lowercased()
        let byLower = Dictionary(translations.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { a, _ in a })
        if let exact = byLower[tag] { return exact }
        if let primary = tag.split(separator: "-").first, let text = byLower[String(primary)] { return text }
        return description
    }
}
