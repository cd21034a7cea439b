import Foundation
import Testing
@testable import TermAuthCore
import TermAuthTestSupport

@Suite struct TokenTests {
    @Test(arguments: TestStore.all) func clientAuthenticationFailures(_ store: TestStore) async throws {
        let f = try await Fixture(store)
        let (_, secret) = try await f.seeded()
        let cc = ["grant_type": "client_credentials"]
        await #expect(throws: TermAuthError.clientAuthenticationFailed) { try await f.exchange(cc, secret: secret + "x") }
        await #expect(throws: TermAuthError.clientAuthenticationFailed) { try await f.exchange(cc, secret: nil) }
        await #expect(throws: TermAuthError.clientAuthenticationFailed) { try await f.exchange(cc, id: "nobody", secret: secret) }
        await #expect(throws: TermAuthError.unsupportedGrantType("magic")) { try await f.exchange(["grant_type": "magic"], secret: secret) }
        _ = try await f.termAuth.admin.addClient(.init(id: "web", name: "Web", redirectURIs: ["https://w.example/cb"]))
        await #expect(throws: TermAuthError.clientAuthenticationFailed) { try await f.exchange(cc, id: "web", secret: secret) }
    }

    /// Reads the SQLite file's bytes, so it runs on SQLite only.
    @Test func secretsAreStoredOnlyAsHashes() async throws {
        let f = try await Fixture()
        let path = try #require((f.termAuth.engine as? SQLiteStore)?.path)
        let (_, secret) = try await f.seeded()
        let tokens = try await f.redeem(try await f.issueCode(), secret: secret)
        let files = [path, path + "-wal"].compactMap { try? Data(contentsOf: URL(fileURLWithPath: $0)) }
        for value in [secret, tokens.accessToken, tokens.refreshToken!, Fixture.password] {
            #expect(files.allSatisfy { $0.range(of: Data(value.utf8)) == nil }, "found a secret in the database")
        }
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    /// The PostgreSQL twin: every row of every table, as PostgreSQL prints it (bytea in hex,
    /// so a hash's hex form is searched too), holds no secret.
    @Test(arguments: TestStore.all.filter { $0 == .postgres }) func secretsAreStoredOnlyAsHashesInPostgres(_ store: TestStore) async throws {
        let f = try await Fixture(store)
        let postgres = try #require(f.termAuth.engine as? PostgresStore)
        let (_, secret) = try await f.seeded()
        let tokens = try await f.redeem(try await f.issueCode(), secret: secret)
        let dump = try await postgres.inTransaction { c in
            var text = ""
            for table in ["clients", "users", "scopes", "requests", "codes", "tokens", "consents", "audit"] {
                for row in try await c.rows("SELECT t::text AS line FROM \(unescaped: table) t") {
                    text += try row.value("line", as: String.self) + "\n"
                }
            }
            return text
        }
        #expect(dump.contains(TokenHash(of: tokens.accessToken).hex), "the dump should hold the token's hash")
        for value in [secret, tokens.accessToken, tokens.refreshToken!, Fixture.password] {
            #expect(!dump.contains(value), "found a secret in PostgreSQL")
        }
    }

    @Test func secretHashIsSaltedAndChecksExactly() {
        let a = SecretHash.make(for: "s3cret")
        let b = SecretHash.make(for: "s3cret")
        #expect(a != b)
        #expect(a.matches("s3cret") && b.matches("s3cret"))
        #expect(!a.matches("s3cres") && !a.matches("") && !a.matches("s3cret "))
        #expect(SecretHash(encoded: a.encoded) == a)
    }
}
