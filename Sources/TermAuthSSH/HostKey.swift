import Crypto
import Foundation
import NIOSSH
import TermAuthCore

/// The server's ed25519 host key. Made on first start into a 0600 file (wrapped, see
/// `WrappedKeyFile`) and reused ever after, so `known_hosts` entries stay valid across restarts.
public struct HostKey: Sendable {
    let key: Curve25519.Signing.PrivateKey

    static let what = "SSH host key"

    public static func loadOrCreate(path: String, wrap: KeyWrap) throws -> HostKey {
        let raw = try WrappedKeyFile.loadOrCreate(path: path, what: what, wrap: wrap) {
            Curve25519.Signing.PrivateKey().rawRepresentation
        }
        do {
            return HostKey(key: try Curve25519.Signing.PrivateKey(rawRepresentation: raw))
        } catch {
            throw TermAuthError.configuration("\(path): the \(what) is damaged")
        }
    }

    /// As OpenSSH shows it when it asks whether to trust the server: "SHA256:…".
    public var fingerprint: String {
        SSHPublicKey(type: "ssh-ed25519", blob: Self.wireBlob(type: "ssh-ed25519", Array(key.publicKey.rawRepresentation))).fingerprint
    }

    var nioKey: NIOSSHPrivateKey { NIOSSHPrivateKey(ed25519Key: key) }

    /// RFC 4253 §6.6 for ssh-ed25519: the type and the key, each as an SSH string.
    static func wireBlob(type: String, _ key: [UInt8]) -> [UInt8] {
        func string(_ bytes: [UInt8]) -> [UInt8] {
            withUnsafeBytes(of: UInt32(bytes.count).bigEndian, Array.init) + bytes
        }
        return string(Array(type.utf8)) + string(key)
    }
}
