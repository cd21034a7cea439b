/// How the demo prints values: enough of a token to recognise it, never enough to use it.
enum Shown {
    /// Parameters whose values grant access or prove possession.
    static let secretNames: Set<String> = [
        "code", "access_token", "refresh_token", "device_code", "code_verifier", "token", "client_secret", "id_token",
    ]

    static func value(_ name: String, _ value: String) -> String {
        if secretNames.contains(name) { return short(value) }
        return value.count > 72 ? String(value.prefix(71)) + "…" : value
    }

    /// Reason phrases for the statuses the demo meets.
    static func status(_ code: Int) -> String {
        let reasons = [
            200: "OK", 204: "No Content", 302: "Found", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden",
            404: "Not Found", 413: "Content Too Large", 500: "Internal Server Error", 503: "Service Unavailable",
        ]
        return reasons[code].map { "\(code) \($0)" } ?? "\(code)"
    }

    /// The last six characters: tokens and codes start with their issue time, so the first
    /// ones would look alike for every value issued within seconds of each other.
    static func short(_ secret: String) -> String {
        secret.count <= 8 ? String(repeating: "•", count: secret.count) : "…" + String(secret.suffix(6))
    }

    static func header(_ name: String, _ value: String) -> String {
        let lower = name.lowercased()
        guard lower == "authorization" else { return value }
        let parts = value.split(separator: " ", maxSplits: 1)
        guard parts.count == 2 else { return "•••" }
        return parts[0] == "Basic" ? "Basic (client id and secret)" : "\(parts[0]) \(short(String(parts[1])))"
    }

    /// Familiar fields first, then the rest alphabetically.
    static func order(_ names: Dictionary<String, String>.Keys) -> [String] {
        let preferred = [
            "error", "error_description", "access_token", "token_type", "expires_in", "refresh_token", "scope",
            "device_code", "user_code", "verification_uri", "interval", "active", "client_id", "username", "sub", "name",
        ]
        let known = preferred.filter(names.contains)
        return known + names.filter { !preferred.contains($0) }.sorted()
    }
}
