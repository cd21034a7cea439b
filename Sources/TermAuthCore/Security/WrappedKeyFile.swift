import Foundation

/// A private key kept in a file of its own (the SSH host key): made on first use, 0600,
/// wrapped with the installation's key (`KeyWrap`), and the same on every start after that.
public enum WrappedKeyFile {
    static let header = "termauth-wrapped-key-v1 "

    /// The raw secret in `path`, creating it with `make()` when the file does not exist yet.
    public static func loadOrCreate(path: String, what: String, wrap: KeyWrap, make: () -> Data) throws -> Data {
        if let secret = try load(path: path, what: what, wrap: wrap) { return secret }
        try? PrivateDirectory.create(containing: path)
        let secret = make()
        let text = header + (try wrap.wrap(secret, purpose: what)).base64EncodedString() + "\n"
        if try PrivateFile.create(path, contents: Data(text.utf8), what: what) { return secret }
        // Another process created it first: use theirs.
        guard let theirs = try load(path: path, what: what, wrap: wrap) else { throw TermAuthError.storage("\(path): the \(what) vanished") }
        return theirs
    }

    static func load(path: String, what: String, wrap: KeyWrap) throws -> Data? {
        guard let data = try PrivateFile.read(path, what: what) else { return nil }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.hasPrefix(header), let wrapped = Data(base64Encoded: String(text.dropFirst(header.count))) else {
            throw TermAuthError.configuration("\(path): not a termauth \(what) file")
        }
        do {
            return try wrap.unwrap(wrapped, purpose: what)
        } catch let error as TermAuthError {
            throw TermAuthError.configuration("\(path): \(error.description)")
        }
    }
}
