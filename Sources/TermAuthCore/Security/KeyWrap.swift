import Crypto
import Foundation

/// Wraps private keys kept at rest (the SSH host key; signing keys) with AES-GCM under a key
/// derived from the installation's local key file, so a copy of the stored key alone, or of the
/// database alone, reveals nothing. `purpose` is authenticated with it: a wrapped key cannot be
/// passed off as another kind.
public struct KeyWrap: Sendable {
    private let key: SymmetricKey

    init(localKey: Data) {
        key = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: localKey), info: Data("termauth key wrap v1".utf8), outputByteCount: 32)
    }

    public func wrap(_ secret: Data, purpose: String) throws -> Data {
        guard let sealed = try AES.GCM.seal(secret, using: key, authenticating: Data(purpose.utf8)).combined else {
            throw TermAuthError.storage("cannot wrap the \(purpose)")
        }
        return sealed
    }

    public func unwrap(_ wrapped: Data, purpose: String) throws -> Data {
        do {
            return try AES.GCM.open(AES.GCM.SealedBox(combined: wrapped), using: key, authenticating: Data(purpose.utf8))
        } catch {
            throw TermAuthError.configuration("the \(purpose) was not wrapped with this installation's key file (or is damaged)")
        }
    }
}
