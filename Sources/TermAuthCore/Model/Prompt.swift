/// Core §3.1.2.1 `prompt` values TermAuth acts on; others are ignored.
public enum Prompt: String, Sendable, CaseIterable {
    case none, login, consent

    /// Parses the space-separated list, ignoring unknown values.
    public static func parse(_ raw: String?) -> Set<Prompt> {
        Set((raw ?? "").split(separator: " ").compactMap { Prompt(rawValue: String($0)) })
    }

    public static func string(_ set: Set<Prompt>) -> String? {
        set.isEmpty ? nil : set.map(\.rawValue).sorted().joined(separator: " ")
    }
}
