import Foundation

/// A file that holds secrets (the database, the approval key) must be this user's alone: a
/// file another user owns could be swapped under us, and one readable by group or others
/// leaks what it holds. Checked on the open descriptor, so a rename between check and use
/// changes nothing.
enum PrivateFile {
    static func check(descriptor fd: Int32, path: String, what: String) throws {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw TermAuthError.storage("\(path): cannot inspect the \(what) (\(String(cString: strerror(errno))))") }
        guard info.st_uid == geteuid() else {
            throw TermAuthError.configuration(
                "\(path): the \(what) belongs to user id \(info.st_uid), not to this user (\(geteuid())); run termauth as its owner, or take it over with: chown \(geteuid()) \(path)"
            )
        }
        guard info.st_mode & 0o077 == 0 else {
            throw TermAuthError.configuration(
                "\(path): the \(what) can be read or written by other users (mode \(String(info.st_mode & 0o777, radix: 8))); fix it with: chmod 600 \(path)"
            )
        }
    }

    /// Creates `path` with `contents`, 0600, or returns false when it already exists. Written
    /// under a random temporary name opened with O_EXCL|O_NOFOLLOW (so no planted file or
    /// symbolic link is written through), then linked into place, so a second process never
    /// reads half a file.
    static func create(_ path: String, contents: Data, what: String) throws -> Bool {
        let temporary = "\(path).\(RandomToken.identifier()).tmp"
        let fd = open(temporary, O_CREAT | O_EXCL | O_NOFOLLOW | O_WRONLY | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw TermAuthError.storage("\(path): cannot create the \(what) (\(String(cString: strerror(errno))))")
        }
        defer { unlink(temporary) }
        let written = contents.withUnsafeBytes { write(fd, $0.baseAddress, contents.count) }
        fsync(fd)
        close(fd)
        guard written == contents.count else { throw TermAuthError.storage("\(path): cannot write the \(what)") }
        if link(temporary, path) == 0 { return true }
        guard errno == EEXIST else { throw TermAuthError.storage("\(path): cannot create the \(what) (\(String(cString: strerror(errno))))") }
        return false
    }

    /// Reads a file that must be private; nil when it does not exist.
    static func read(_ path: String, what: String) throws -> Data? {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            if errno == ELOOP { throw TermAuthError.configuration("\(path): the \(what) is a symbolic link; termauth follows none for its secrets") }
            throw TermAuthError.storage("\(path): cannot read the \(what) (\(String(cString: strerror(errno))))")
        }
        defer { close(fd) }
        try check(descriptor: fd, path: path, what: what)
        return FileHandle(fileDescriptor: fd, closeOnDealloc: false).readDataToEndOfFile()
    }
}
