import NIOSSH
import TermAuthCore

extension NIOSSHPublicKey {
    /// The key as TermAuth stores and fingerprints it.
    var parsed: SSHPublicKey? { try? SSHPublicKey(line: String(openSSHPublicKey: self)) }
}
