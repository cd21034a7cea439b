/// An SSH public key that signs its user in over SSH (`termauth user key add`).
public struct UserKey: Sendable, Equatable {
    public var userID: String
    /// As `ssh-keygen -l` prints it: "SHA256:" and the unpadded base64 of the key blob's SHA-256.
    public var fingerprint: String
    /// The key's algorithm, such as `ssh-ed25519`.
    public var type: String
    /// The OpenSSH line without its comment: "TYPE BASE64".
    public var publicKey: String
    public var comment: String
    public var createdAt: Int64

    public init(userID: String, fingerprint: String, type: String, publicKey: String, comment: String, createdAt: Int64) {
        self.userID = userID
        self.fingerprint = fingerprint
        self.type = type
        self.publicKey = publicKey
        self.comment = comment
        self.createdAt = createdAt
    }
}
