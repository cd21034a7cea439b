// Seeds what the benchmark's cases consume: authorization codes (through the real flow),
// refresh tokens, and filler tokens for the "database already holds a million tokens" runs.
//
//   termauth-bench-seed --db DB --client ID [--scope "bench openid"] --codes N --refresh N --filler N --out DIR
import Foundation
import TermAuthCore

struct Options {
    var db = ""
    var client = ""
    var scope = "bench"
    var codes = 0
    var refresh = 0
    var filler = 0
    var out = "."

    init(_ args: [String]) {
        var i = 0
        func next() -> String {
            i += 1
            return i < args.count ? args[i] : ""
        }
        while i < args.count {
            switch args[i] {
            case "--db": db = next()
            case "--client": client = next()
            case "--scope": scope = next()
            case "--codes": codes = Int(next()) ?? 0
            case "--refresh": refresh = Int(next()) ?? 0
            case "--filler": filler = Int(next()) ?? 0
            case "--out": out = next()
            default: FileHandle.standardError.write(Data("unknown argument \(args[i])\n".utf8)); exit(2)
            }
            i += 1
        }
    }
}

let options = Options(Array(CommandLine.arguments.dropFirst()))
var settings = Settings()
settings.security.passwordHashRounds = PasswordHasher.minimumRounds
let termAuth = try TermAuth.open(database: options.db, settings: settings)
guard let client = try await termAuth.store.client(id: options.client) else {
    FileHandle.standardError.write(Data("no client \(options.client)\n".utf8))
    exit(1)
}
if try await termAuth.store.user(username: "bench") == nil {
    _ = try await termAuth.admin.addUser(username: "bench", displayName: "Bench", password: "bench password")
}
let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM" // RFC 7636 Appendix B
let redirect = client.redirectURIs.first ?? ""

/// One code through the real flow: park, sign in once, approve, deliver.
func code(_ user: SignedInUser) async throws -> String {
    let flow = termAuth.flow
    let validated = try await flow.validator.validate([
        ("response_type", "code"), ("client_id", client.id), ("redirect_uri", redirect), ("scope", options.scope),
        ("code_challenge", challenge), ("code_challenge_method", "S256"),
    ])
    let parked = try await flow.park(validated, origin: "bench")
    let pending = try await flow.pending(requestID: parked.request.id)
    try await flow.approve(pending, user: user, scopes: nil, remember: false)
    guard case .redirect(let location) = try await flow.deliver(handle: parked.handle),
        let value = URLComponents(string: location)?.queryItems?.first(where: { $0.name == "code" })?.value
    else { throw TermAuthError.unknownRequest }
    return value
}

func write(_ values: [String], to name: String) throws {
    try (values.joined(separator: "\n") + "\n").write(
        toFile: (options.out as NSString).appendingPathComponent(name), atomically: true, encoding: .utf8)
}

let start = Date()
if options.codes > 0 {
    let first = try await termAuth.flow.validator.validate([
        ("response_type", "code"), ("client_id", client.id), ("redirect_uri", redirect), ("scope", options.scope),
        ("code_challenge", challenge), ("code_challenge_method", "S256"),
    ])
    let parked = try await termAuth.flow.park(first, origin: "bench")
    let user = try await termAuth.flow.signIn(
        username: "bench", password: "bench password", for: try await termAuth.flow.pending(requestID: parked.request.id))
    var codes = [String](repeating: "", count: options.codes)
    // Written out in the order they were issued, as clients redeem them: seconds after issue,
    // while their rows are still warm. (Worker by worker, the benchmark jumped about the table.)
    try await withThrowingTaskGroup(of: [(Int, String)].self) { group in
        let workers = 32
        for w in 0..<workers {
            group.addTask {
                var mine: [(Int, String)] = []
                for i in stride(from: w, to: options.codes, by: workers) { mine.append((i, try await code(user))) }
                return mine
            }
        }
        for try await part in group { for (i, value) in part { codes[i] = value } }
    }
    try write(codes, to: "codes.txt")
}

/// Tokens written straight to the store: the same rows the grants write.
func insertTokens(_ count: Int, kind: Token.Kind, keep: Bool) async throws -> [String] {
    var kept: [String] = []
    let now = termAuth.clock.now()
    var done = 0
    while done < count {
        let n = min(10_000, count - done)
        var batch: [Token] = []
        for _ in 0..<n {
            let value = RandomToken.sequentialSecret()
            if keep { kept.append(value) }
            batch.append(
                Token(
                    hash: TokenHash(of: value), kind: kind, clientID: client.id, userID: nil, scopes: ScopeSet(["bench"]),
                    issuedAt: now, expiresAt: now + 30 * 24 * 3600, family: RandomToken.sequentialIdentifier()))
        }
        try await termAuth.store.insertTokens(batch, audit: nil)
        done += n
    }
    return kept
}

if options.refresh > 0 { try write(try await insertTokens(options.refresh, kind: .refresh, keep: true), to: "refresh.txt") }
if options.filler > 0 { _ = try await insertTokens(options.filler, kind: .access, keep: false) }
FileHandle.standardError.write(
    Data(
        String(
            format: "seeded %d codes, %d refresh tokens, %d filler tokens in %.1f s\n",
            options.codes, options.refresh, options.filler, Date().timeIntervalSince(start)
        ).utf8))
