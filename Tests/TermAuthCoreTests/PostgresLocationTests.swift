import Foundation
import NIOSSL
import Testing
@testable import TermAuthCore

@Suite struct PostgresLocationTests {
    @Test func readsTheURLTheWayPsqlDoes() throws {
        let l = try PostgresLocation(url: "postgres://ta%40ops:p%2Fss@db.internal:6543/auth?sslmode=require&schema=termauth")
        #expect(l.username == "ta@ops" && l.password == "p/ss")
        #expect(l.host == "db.internal" && l.port == 6543 && l.database == "auth")
        #expect(l.tls == .require && l.schema == "termauth" && l.socketDirectory == nil)
        #expect(!l.redacted.contains("p/ss") && !l.redacted.contains("p%2Fss"))
    }

    @Test func defaultsFollowLibpq() throws {
        let loopback = try PostgresLocation(url: "postgresql://alice@127.0.0.1", environment: [:])
        #expect(loopback.port == 5432 && loopback.database == "alice" && loopback.tls == .disable && loopback.password == nil)
        // Off the machine, encrypted unless the URL says otherwise.
        #expect(try PostgresLocation(url: "postgres://alice@db.example/x").tls == .require)
        #expect(try PostgresLocation(url: "postgres://alice@db.example/x?sslmode=prefer").tls == .prefer)
        #expect(try PostgresLocation(url: "postgres://alice@127.example.com/x").tls == .require)
        let verified = try PostgresLocation(url: "postgres://alice@db.example/x?sslmode=verify-full&sslrootcert=/etc/ca.pem")
        #expect(verified.tls == .verifyFull && verified.rootCertificate == "/etc/ca.pem")
        #expect(verified.tlsConfiguration().certificateVerification == .fullVerification)
        #expect(try PostgresLocation(url: "postgres://alice@db.example/x").tlsConfiguration().certificateVerification == .none)
        let socket = try PostgresLocation(url: "postgres://alice@/auth?host=/run/postgresql")
        #expect(socket.socketDirectory == "/run/postgresql" && socket.tls == .disable)
    }

    @Test(arguments: [
        ("postgres://db.example/auth", "a user name is required"),
        ("postgres://a@db/x?sslmode=verify-ca", "sslmode must be disable, prefer, require or verify-full"),
        ("postgres://a@db/x?schema=Robert%27%29%3B%20DROP%20TABLE", "schema must be a lower-case identifier"),
        ("postgres://a@db/x?application_name=x", "unsupported parameter \"application_name\""),
        ("mysql://a@db/x", "not a PostgreSQL URL"),
    ])
    func refusesWhatItCannotHonour(url: String, message: String) {
        #expect {
            _ = try PostgresLocation(url: url)
        } throws: { error in
            "\(error)".contains(message) || (error as? TermAuthError)?.description.contains(message) == true
        }
    }

    /// The password can stay out of the URL (and out of `ps`): PGPASSWORD, or a password file.
    @Test func passwordFromTheEnvironmentOrAPasswordFile() throws {
        #expect(try PostgresLocation(url: "postgres://ta@db.example/auth", environment: ["PGPASSWORD": "s3cret"]).password == "s3cret")
        #expect(try PostgresLocation(url: "postgres://ta:inurl@db.example/auth", environment: ["PGPASSWORD": "s3cret"]).password == "inurl")
        let file = NSTemporaryDirectory() + "pgpass-" + UUID().uuidString
        try "# comment\nother:5432:auth:ta:wrong\ndb.example:5432:*:ta:pa\\:ss\n*:*:*:*:fallback\n".write(
            toFile: file, atomically: true, encoding: .utf8)
        chmod(file, 0o600)
        defer { unlink(file) }
        #expect(try PostgresLocation(url: "postgres://ta@db.example/auth?passfile=\(file)", environment: [:]).password == "pa:ss")
        #expect(try PostgresLocation(url: "postgres://bob@elsewhere/auth", environment: ["PGPASSFILE": file]).password == "fallback")
        chmod(file, 0o644)
        // As libpq: a password file others can read is refused when named, ignored when it is the default.
        #expect(throws: TermAuthError.self) { try PostgresLocation(url: "postgres://ta@db.example/auth?passfile=\(file)", environment: [:]) }
        #expect(try PostgresLocation(url: "postgres://ta@db.example/auth", environment: ["PGPASSFILE": file]).password == nil)
    }
}
