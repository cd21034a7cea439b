import Foundation
import GRDB
import Testing
@testable import TermAuthCore
import TermAuthTestSupport

@Suite struct SchemaVersionTests {
    /// A file migrated by a newer termauth has a migration this build does not know.
    @Test func aSQLiteFileFromANewerTermAuthIsRefusedAndLeftAlone() throws {
        let directory = NSTemporaryDirectory() + "termauth-schema-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/termauth.db"
        let store = try SQLiteStore(path: path)
        #expect(try store.schemaVersion().applied == store.schemaVersion().known)
        try store.pool.write { try $0.execute(sql: "INSERT INTO grdb_migrations(identifier) VALUES ('v999-from-the-future')") }
        #expect {
            _ = try SQLiteStore(path: path)
        } throws: { error in
            (error as? TermAuthError)?.description.contains("newer than this termauth knows") == true
        }
        #expect(try store.pool.read { try String.fetchAll($0, sql: "SELECT identifier FROM grdb_migrations") }.contains("v999-from-the-future"))
    }

    @Test(arguments: TestStore.all) func everyStoreReportsItsSchemaUpToDate(_ store: TestStore) async throws {
        let termAuth = try await store.open(settings: Settings())
        switch termAuth.engine {
        case let sqlite as SQLiteStore:
            let version = try sqlite.schemaVersion()
            #expect(version.applied == version.known && !version.known.isEmpty)
        case let postgres as PostgresStore:
            let version = try await postgres.schemaVersion()
            #expect(version.current == version.latest && version.latest >= 1)
            #expect(try await postgres.migrate().isEmpty, "a second migration run applies nothing")
        default:
            Issue.record("unexpected store \(type(of: termAuth.engine))")
        }
    }
}
