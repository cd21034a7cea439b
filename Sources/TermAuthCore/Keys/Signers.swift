/// The key each algorithm signs with, as one key-ring snapshot had them. A grant takes the
/// signers its response needs before it stores anything, so a response whose records are
/// stored (a code redeemed, a refresh token rotated) never fails for want of a key.
public struct Signers: Sendable {
    let byAlgorithm: [SigningAlgorithm: JWSSigner]

    /// For a response that signs nothing.
    static let none = Signers(byAlgorithm: [:])

    func signer(_ algorithm: SigningAlgorithm) throws -> JWSSigner {
        guard let signer = byAlgorithm[algorithm] else {
            throw TermAuthError.storage("no \(algorithm.rawValue) signing key this installation's key file opens (termauth keys list)")
        }
        return signer
    }
}
