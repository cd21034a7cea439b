import Foundation
import Testing
@testable import TermAuthCore

@Suite struct BackgroundCheckpointerTests {
    /// The writer no longer checkpoints below 10,000 WAL frames, so committed pages reach the
    /// database file only through the background checkpoint.
    @Test func committedPagesReachTheDatabaseFileWithoutTheWriterCheckpointing() async throws {
        let directory = NSTemporaryDirectory() + "termauth-checkpoint-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/termauth.db"
        let store = try SQLiteStore(path: path)
        let size = { (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0 }
        let before = size()

        let now = Timestamp.now()
        let tokens = (0..<300).map { _ in
            Token(
                hash: TokenHash(of: RandomToken.sequentialSecret()), kind: .access, clientID: "c", userID: nil,
                scopes: ScopeSet(["profile"]), issuedAt: now, expiresAt: now + 600, family: RandomToken.sequentialIdentifier())
        }
        try await store.insertTokens(tokens, audit: nil)
        var grown = false
        for _ in 0..<60 where !grown {
            try await Task.sleep(for: .milliseconds(50))
            grown = size() > before
        }
        #expect(grown, "the database file stayed at \(before) bytes")
        #expect(try await store.token(hash: tokens[299].hash) != nil)
    }
}
