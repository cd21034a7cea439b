import Foundation
import TOMLKit

/// Reads a TOML settings file. TOMLKit's own decoding errors do not name the key or the
/// expected type reliably, so values are read by hand and every error names file, key and expectation.
public enum SettingsFile {
    public static func load(path: String) throws(TermAuthError) -> Settings {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw .configuration("\(path): cannot read the file (\(error.localizedDescription))")
        }
        return try parse(text, source: path)
    }

    public static func parse(_ text: String, source: String) throws(TermAuthError) -> Settings {
        let table: TOMLTable
        do { table = try TOMLTable(string: text) } catch let error as TOMLParseError {
            throw .configuration("\(source):\(error.source.begin.line): \(error.description)")
        } catch {
            throw .configuration("\(source): not valid TOML")
        }
        let reader = Reader(source: source)
        var settings = Settings()
        try reader.checkKeys(
            table,
            allowed: ["issuer", "server", "lifetimes", "security", "limits", "audit", "resource", "storage", "scopes", "clients", "ssh", "tokens"],
            at: "")
        if let issuer = try reader.string(table, "issuer", at: "") {
            do { settings.issuer = try Settings.issuer(issuer) } catch { throw .configuration("\(source): \(error.description)") }
        }
        if let server = try reader.table(table, "server", at: "") {
            try reader.checkKeys(
                server, allowed: ["host", "port", "idle_timeout_seconds", "body_timeout_seconds", "max_connections", "tls_cert", "tls_key"],
                at: "server")
            settings.host = try reader.string(server, "host", at: "server") ?? settings.host
            settings.port = try reader.int(server, "port", at: "server", range: 0...65535).map(Int.init) ?? settings.port
            settings.idleTimeoutSeconds =
                try reader.int(server, "idle_timeout_seconds", at: "server", range: 1...3600)
                .map(Int.init) ?? settings.idleTimeoutSeconds
            settings.bodyTimeoutSeconds =
                try reader.int(server, "body_timeout_seconds", at: "server", range: 1...3600)
                .map(Int.init) ?? settings.bodyTimeoutSeconds
            settings.maxConnections =
                try reader.int(server, "max_connections", at: "server", range: 1...1_000_000)
                .map(Int.init) ?? settings.maxConnections
            settings.tlsCertificateFile = try reader.string(server, "tls_cert", at: "server")
            settings.tlsKeyFile = try reader.string(server, "tls_key", at: "server")
            if (settings.tlsCertificateFile == nil) != (settings.tlsKeyFile == nil) {
                throw TermAuthError.configuration("\(source): server.tls_cert and server.tls_key go together; set both or neither")
            }
        }
        if let life = try reader.table(table, "lifetimes", at: "") {
            try reader.checkKeys(
                life, allowed: ["authorization_code", "access_token", "refresh_token", "request", "device_poll_interval", "id_token"], at: "lifetimes"
            )
            let l = settings.lifetimes
            settings.lifetimes.authorizationCode = try reader.int(life, "authorization_code", at: "lifetimes", range: 1...600) ?? l.authorizationCode
            settings.lifetimes.accessToken = try reader.int(life, "access_token", at: "lifetimes", range: 1...31_536_000) ?? l.accessToken
            settings.lifetimes.refreshToken = try reader.int(life, "refresh_token", at: "lifetimes", range: 1...315_360_000) ?? l.refreshToken
            settings.lifetimes.idToken = try reader.int(life, "id_token", at: "lifetimes", range: 1...86_400) ?? l.idToken
            settings.lifetimes.request = try reader.int(life, "request", at: "lifetimes", range: 1...86_400) ?? l.request
            settings.lifetimes.devicePollInterval =
                try reader.int(life, "device_poll_interval", at: "lifetimes", range: 1...60) ?? l.devicePollInterval
        }
        if let sec = try reader.table(table, "security", at: "") {
            try reader.checkKeys(
                sec,
                allowed: [
                    "password_hash_rounds", "max_failed_logins", "failure_window_seconds", "lockout_seconds", "max_failed_logins_per_source",
                    "max_wrong_codes", "wrong_code_window_seconds", "password_hash_threads", "password_hash_queue", "failed_sign_in_ms",
                    "failed_client_auth_ms",
                ], at: "security")
            let s = settings.security
            settings.security.passwordHashRounds =
                try reader.int(sec, "password_hash_rounds", at: "security", range: Int64(PasswordHasher.minimumRounds)...100_000_000).map(Int.init)
                ?? s.passwordHashRounds
            settings.security.maxFailedLogins =
                try reader.int(sec, "max_failed_logins", at: "security", range: 1...1000).map(Int.init) ?? s.maxFailedLogins
            settings.security.lockoutSeconds = try reader.int(sec, "lockout_seconds", at: "security", range: 1...31_536_000) ?? s.lockoutSeconds
            settings.security.failureWindowSeconds =
                try reader.int(sec, "failure_window_seconds", at: "security", range: 1...31_536_000) ?? s.failureWindowSeconds
            settings.security.maxFailedLoginsPerSource =
                try reader.int(sec, "max_failed_logins_per_source", at: "security", range: 1...1_000_000)
                .map(Int.init) ?? s.maxFailedLoginsPerSource
            settings.security.maxWrongCodes = try reader.int(sec, "max_wrong_codes", at: "security", range: 1...1000).map(Int.init) ?? s.maxWrongCodes
            settings.security.wrongCodeWindowSeconds =
                try reader.int(sec, "wrong_code_window_seconds", at: "security", range: 1...86_400) ?? s.wrongCodeWindowSeconds
            settings.security.passwordHashThreads =
                try reader.int(sec, "password_hash_threads", at: "security", range: 1...64).map(Int.init) ?? s.passwordHashThreads
            settings.security.passwordHashQueue =
                try reader.int(sec, "password_hash_queue", at: "security", range: 0...100_000).map(Int.init) ?? s.passwordHashQueue
            settings.security.failedSignInMilliseconds =
                try reader.int(sec, "failed_sign_in_ms", at: "security", range: 0...10_000)
                .map(Int.init) ?? s.failedSignInMilliseconds
            settings.security.failedClientAuthMilliseconds =
                try reader.int(sec, "failed_client_auth_ms", at: "security", range: 0...10_000)
                .map(Int.init) ?? s.failedClientAuthMilliseconds
        }
        if let lim = try reader.table(table, "limits", at: "") {
            try reader.checkKeys(
                lim, allowed: ["parked_per_client", "parked_per_source", "parked_total", "long_polls", "long_polls_per_source"], at: "limits")
            let l = settings.limits
            settings.limits.parkedPerClient =
                try reader.int(lim, "parked_per_client", at: "limits", range: 1...10_000_000).map(Int.init) ?? l.parkedPerClient
            settings.limits.parkedPerSource =
                try reader.int(lim, "parked_per_source", at: "limits", range: 1...10_000_000).map(Int.init) ?? l.parkedPerSource
            settings.limits.parkedTotal = try reader.int(lim, "parked_total", at: "limits", range: 1...10_000_000).map(Int.init) ?? l.parkedTotal
            settings.limits.longPolls = try reader.int(lim, "long_polls", at: "limits", range: 0...1_000_000).map(Int.init) ?? l.longPolls
            settings.limits.longPollsPerSource =
                try reader.int(lim, "long_polls_per_source", at: "limits", range: 0...1_000_000)
                .map(Int.init) ?? l.longPollsPerSource
        }
        if let tokens = try reader.table(table, "tokens", at: "") {
            try reader.checkKeys(tokens, allowed: ["audience", "access_token_algorithm"], at: "tokens")
            if let audience = try reader.string(tokens, "audience", at: "tokens") {
                // An absolute URI can never be a client id, so an access token cannot pass for an ID token.
                guard let url = URLComponents(string: audience), url.scheme != nil, url.host != nil, !audience.contains(where: \.isWhitespace) else {
                    throw .configuration("\(source): tokens.audience must be an absolute URI, such as https://api.example.org")
                }
                settings.tokens.audience = audience
            }
            if let alg = try reader.string(tokens, "access_token_algorithm", at: "tokens") {
                do { settings.tokens.accessTokenAlgorithm = try SigningAlgorithm.parse(alg) } catch {
                    throw .configuration("\(source): tokens.access_token_algorithm: \(error.description)")
                }
            }
        }
        if let ssh = try reader.table(table, "ssh", at: "") {
            try reader.checkKeys(
                ssh,
                allowed: [
                    "port", "host_key_file", "public_address", "max_sessions", "max_sessions_per_source", "max_auth_attempts",
                    "idle_timeout_seconds", "max_session_seconds", "sign_in_seconds",
                ], at: "ssh")
            let s = settings.ssh
            settings.ssh.port = try reader.int(ssh, "port", at: "ssh", range: 0...65535).map(Int.init) ?? s.port
            settings.ssh.hostKeyFile = try reader.string(ssh, "host_key_file", at: "ssh") ?? s.hostKeyFile
            settings.ssh.publicAddress = try reader.string(ssh, "public_address", at: "ssh") ?? s.publicAddress
            settings.ssh.maxSessions = try reader.int(ssh, "max_sessions", at: "ssh", range: 1...100_000).map(Int.init) ?? s.maxSessions
            settings.ssh.maxSessionsPerSource =
                try reader.int(ssh, "max_sessions_per_source", at: "ssh", range: 1...100_000).map(Int.init) ?? s.maxSessionsPerSource
            settings.ssh.maxAuthAttempts = try reader.int(ssh, "max_auth_attempts", at: "ssh", range: 1...100).map(Int.init) ?? s.maxAuthAttempts
            settings.ssh.idleTimeoutSeconds =
                try reader.int(ssh, "idle_timeout_seconds", at: "ssh", range: 1...86_400).map(Int.init) ?? s.idleTimeoutSeconds
            settings.ssh.signInSeconds = try reader.int(ssh, "sign_in_seconds", at: "ssh", range: 5...3600).map(Int.init) ?? s.signInSeconds
            settings.ssh.maxSessionSeconds =
                try reader.int(ssh, "max_session_seconds", at: "ssh", range: 1...604_800).map(Int.init) ?? s.maxSessionSeconds
        }
        if let audit = try reader.table(table, "audit", at: "") {
            try reader.checkKeys(audit, allowed: ["retain_days"], at: "audit")
            settings.auditRetainDays = try reader.int(audit, "retain_days", at: "audit", range: 1...36_500) ?? settings.auditRetainDays
        }
        if let res = try reader.table(table, "resource", at: "") {
            try reader.checkKeys(res, allowed: ["scope"], at: "resource")
            settings.resourceScope = try reader.string(res, "scope", at: "resource") ?? settings.resourceScope
        }
        if let storage = try reader.table(table, "storage", at: "") {
            try reader.checkKeys(storage, allowed: ["durability", "approval_key_file", "postgres_connections"], at: "storage")
            settings.approvalKeyFile = try reader.string(storage, "approval_key_file", at: "storage")
            settings.postgresConnections =
                try reader.int(storage, "postgres_connections", at: "storage", range: 1...1000)
                .map(Int.init) ?? settings.postgresConnections
            if let value = try reader.string(storage, "durability", at: "storage") {
                guard let durability = Settings.Durability(rawValue: value) else {
                    throw TermAuthError.configuration(
                        "\(source): storage.durability: expected \"normal\" or \"full\", got \"\(Sanitized.line(value, limit: 40))\"")
                }
                settings.durability = durability
            }
        }
        for (i, scope) in try reader.tables(table, "scopes").enumerated() {
            let at = "scopes[\(i)]"
            try reader.checkKeys(scope, allowed: ["name", "description", "required", "translations"], at: at)
            var translations: [String: String] = [:]
            if let t = try reader.table(scope, "translations", at: at) {
                for key in t.keys {
                    guard let text = t[key]?.string else { throw reader.wrongType(at: "\(at).translations.\(key)", expected: "a string") }
                    translations[key] = text
                }
            }
            settings.scopes.append(
                Scope(
                    name: try reader.requiredString(scope, "name", at: at),
                    description: try reader.requiredString(scope, "description", at: at),
                    translations: translations,
                    required: try reader.bool(scope, "required", at: at) ?? false
                ))
        }
        for (i, client) in try reader.tables(table, "clients").enumerated() {
            let at = "clients[\(i)]"
            try reader.checkKeys(
                client,
                allowed: [
                    "id", "name", "public", "redirect_uris", "grants", "scopes", "require_pkce", "introspect", "id_token_alg",
                    "access_token_format", "resources",
                ], at: at)
            let grantNames = try reader.strings(client, "grants", at: at) ?? GrantType.defaults.map(\.rawValue)
            var grants: [GrantType] = []
            for name in grantNames {
                do { grants.append(try GrantType.parse(name)) } catch {
                    throw TermAuthError.configuration("\(source): \(at).grants: \(error.description)")
                }
            }
            var registration =
                ClientRegistration(
                    id: try reader.requiredString(client, "id", at: at),
                    name: try reader.requiredString(client, "name", at: at),
                    isPublic: try reader.bool(client, "public", at: at) ?? false,
                    redirectURIs: try reader.strings(client, "redirect_uris", at: at) ?? [],
                    grantTypes: grants,
                    scopes: try reader.strings(client, "scopes", at: at) ?? [],
                    requirePKCE: try reader.bool(client, "require_pkce", at: at) ?? true,
                    mayIntrospect: try reader.bool(client, "introspect", at: at) ?? false
                )
            if let alg = try reader.string(client, "id_token_alg", at: at) {
                do { registration.idTokenAlgorithm = try SigningAlgorithm.parse(alg) } catch {
                    throw .configuration("\(source): \(at).id_token_alg: \(error.description)")
                }
            }
            if let format = try reader.string(client, "access_token_format", at: at) {
                guard let parsed = AccessTokenFormat(rawValue: format) else {
                    throw .configuration("\(source): \(at).access_token_format: expected \"opaque\" or \"jwt\"")
                }
                registration.accessTokenFormat = parsed
            }
            registration.resources = try reader.strings(client, "resources", at: at) ?? []
            settings.clients.append(registration)
        }
        return settings
    }

    private struct Reader {
        let source: String

        func path(_ at: String, _ key: String) -> String { at.isEmpty ? key : "\(at).\(key)" }

        func wrongType(at key: String, expected: String) -> TermAuthError {
            .configuration("\(source): \(key): expected \(expected)")
        }

        func checkKeys(_ table: TOMLTable, allowed: Set<String>, at: String) throws(TermAuthError) {
            for key in table.keys where !allowed.contains(key) {
                throw .configuration("\(source): unknown key \"\(path(at, key))\"; expected one of \(allowed.sorted().joined(separator: ", "))")
            }
        }

        func string(_ table: TOMLTable, _ key: String, at: String) throws(TermAuthError) -> String? {
            guard let value = table[key] else { return nil }
            guard let s = value.string else { throw wrongType(at: path(at, key), expected: "a string") }
            return s
        }

        func requiredString(_ table: TOMLTable, _ key: String, at: String) throws(TermAuthError) -> String {
            guard let s = try string(table, key, at: at) else { throw .configuration("\(source): \(path(at, key)) is required") }
            return s
        }

        func int(_ table: TOMLTable, _ key: String, at: String, range: ClosedRange<Int64>) throws(TermAuthError) -> Int64? {
            guard let value = table[key] else { return nil }
            guard let i = value.int else {
                throw wrongType(at: path(at, key), expected: "an integer from \(range.lowerBound) to \(range.upperBound)")
            }
            guard range.contains(Int64(i)) else {
                throw wrongType(at: path(at, key), expected: "an integer from \(range.lowerBound) to \(range.upperBound), got \(i)")
            }
            return Int64(i)
        }

        func bool(_ table: TOMLTable, _ key: String, at: String) throws(TermAuthError) -> Bool? {
            guard let value = table[key] else { return nil }
            guard let b = value.bool else { throw wrongType(at: path(at, key), expected: "true or false") }
            return b
        }

        func strings(_ table: TOMLTable, _ key: String, at: String) throws(TermAuthError) -> [String]? {
            guard let value = table[key] else { return nil }
            guard let array = value.array else { throw wrongType(at: path(at, key), expected: "an array of strings") }
            var out: [String] = []
            for (i, element) in array.enumerated() {
                guard let s = element.string else { throw wrongType(at: "\(path(at, key))[\(i)]", expected: "a string") }
                out.append(s)
            }
            return out
        }

        func table(_ table: TOMLTable, _ key: String, at: String) throws(TermAuthError) -> TOMLTable? {
            guard let value = table[key] else { return nil }
            guard let t = value.table else { throw wrongType(at: path(at, key), expected: "a table [\(path(at, key))]") }
            return t
        }

        func tables(_ table: TOMLTable, _ key: String) throws(TermAuthError) -> [TOMLTable] {
            guard let value = table[key] else { return [] }
            guard let array = value.array else { throw wrongType(at: key, expected: "an array of tables [[\(key)]]") }
            var out: [TOMLTable] = []
            for (i, element) in array.enumerated() {
                guard let t = element.table else { throw wrongType(at: "\(key)[\(i)]", expected: "a table") }
                out.append(t)
            }
            return out
        }
    }
}
