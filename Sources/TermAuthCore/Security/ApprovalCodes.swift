import Crypto
import Foundation

/// Approval codes are derived from the request id with a local key, so the store keeps only
/// their SHA-256 (for lookup) while `termauth requests list`, which holds the key file, can
/// still show them to the operator. A copy of the database alone reveals no approval code.
public struct ApprovalCodes: Sendable {
    private let key: SymmetricKey

    public init(key: Data) { self.key = SymmetricKey(data: key) }

    public func code(forRequest id: String) -> String {
        let mac = Array(HMAC<SHA256>.authenticationCode(for: Data(id.utf8), using: key))
        // 8 letters from a 20-letter alphabet; each byte's bias (256 mod 20) is below 1%, fine for a short-lived code.
        let letters = mac.prefix(8).map { ApprovalCode.alphabet[Int($0) % ApprovalCode.alphabet.count] }
        return String(letters[0..<4]) + "-" + String(letters[4..<8])
    }

    /// The key file lives beside the database, 0600, created on first use. It is written to a
    /// temporary name and linked into place, so a second process never reads half a key.
    public static func loadKey(path: String) throws -> Data {
        if let data = FileManager.default.contents(atPath: path), data.count == 32 { return data }
        // A failure here shows as the clearer "cannot create the key file" below.
        try? PrivateDirectory.create(containing: path)
        let temporary = "\(path).\(getpid()).tmp"
        let fd = open(temporary, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw TermAuthError.storage("\(path): cannot create the key file (\(String(cString: strerror(errno))))")
        }
        let key = RandomToken.bytes(32)
        let written = key.withUnsafeBytes { write(fd, $0.baseAddress, 32) }
        fsync(fd)
        close(fd)
        defer { unlink(temporary) }
        guard written == 32 else { throw TermAuthError.storage("\(path): cannot write the key file") }
        if link(temporary, path) == 0 { return key }
        guard errno == EEXIST, let data = FileManager.default.contents(atPath: path), data.count == 32 else {
            throw TermAuthError.storage("\(path): the key file is unreadable or not 32 bytes")
        }
        return data
    }
}
