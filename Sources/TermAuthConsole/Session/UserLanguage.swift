import Foundation

public enum UserLanguage {
    /// The person's language as a BCP 47 tag, from LC_ALL, LC_MESSAGES or LANG ("zh_CN.UTF-8" → "zh-CN").
    public static func preferredTag(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        for key in ["LC_ALL", "LC_MESSAGES", "LANG"] {
            guard let value = environment[key], !value.isEmpty else { continue }
            let base = value.split(separator: ".").first.map(String.init) ?? value
            if base == "C" || base == "POSIX" { return nil }
            return base.replacingOccurrences(of: "_", with: "-")
        }
        return nil
    }
}
