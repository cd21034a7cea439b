import Foundation

/// The directory a database or key file goes in, created 0700 when missing: it holds secrets.
enum PrivateDirectory {
    static func create(containing path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        guard !directory.isEmpty, !FileManager.default.fileExists(atPath: directory) else { return }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }
}
