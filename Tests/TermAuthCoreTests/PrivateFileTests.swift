import Foundation
import Testing
@testable import TermAuthCore

/// The database and the approval key are this user's alone, and are never written through a
/// planted file or link.
@Suite struct PrivateFileTests {
    func directory() throws -> String {
        let dir = NSTemporaryDirectory() + "termauth-private-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func aNewKeyIsPrivateAndAnExistingOneIsReused() throws {
        let path = try directory() + "/approval.key"
        let key = try ApprovalCodes.loadKey(path: path)
        var info = stat()
        stat(path, &info)
        #expect(info.st_mode & 0o777 == 0o600)
        #expect(try ApprovalCodes.loadKey(path: path) == key)
        // No temporary file is left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: (path as NSString).deletingLastPathComponent) == ["approval.key"])
    }

    @Test func aKeyOrDatabaseOthersCanReadIsRefusedWithTheFix() throws {
        let dir = try directory()
        let key = dir + "/approval.key"
        _ = try ApprovalCodes.loadKey(path: key)
        chmod(key, 0o640)
        #expect { try ApprovalCodes.loadKey(path: key) } throws: { error in
            (error as? TermAuthError)?.description.contains("chmod 600 \(key)") == true
        }
        let db = dir + "/termauth.db"
        _ = try SQLiteStore(path: db)
        chmod(db, 0o644)
        #expect { try SQLiteStore(path: db) } throws: { error in
            (error as? TermAuthError)?.description.contains("chmod 600 \(db)") == true
        }
    }

    @Test func aSymbolicLinkIsNeverFollowed() throws {
        let dir = try directory()
        let target = dir + "/elsewhere"
        FileManager.default.createFile(atPath: target, contents: Data(count: 32), attributes: [.posixPermissions: 0o600])
        let key = dir + "/approval.key"
        symlink(target, key)
        #expect(throws: TermAuthError.self) { try ApprovalCodes.loadKey(path: key) }
    }
}
