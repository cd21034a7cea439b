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

    /// The key file lives beside the database, 0600, created on first use (see `PrivateFile`).
    public static func loadKey(path: String) throws -> Data {
        let what = "approval key file"
        if let data = try PrivateFile.read(path, what: what) {
            guard data.count == 32 else { throw TermAuthError.storage("\(path): the \(what) is not 32 bytes") }
            return data
        }
        // A failure here shows as the clearer "cannot create the key file" below.
        try? PrivateDirectory.create(containing: path)
        let key = RandomToken.bytes(32)
        if try PrivateFile.create(path, contents: key, what: what) { return key }
        // Another process created it first: use theirs.
        guard let data = try PrivateFile.read(path, what: what), data.count == 32 else {
            throw TermAuthError.storage("\(path): the \(what) is unreadable or not 32 bytes")
        }
        return data
    }
}
