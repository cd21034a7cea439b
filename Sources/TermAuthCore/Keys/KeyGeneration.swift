import Crypto
import CryptoExtras
import Foundation

/// Makes a new signing key, its private half wrapped for the store.
enum KeyGeneration {
    static func generate(_ algorithm: SigningAlgorithm, wrap: KeyWrap, now: Int64) throws -> SigningKey {
        var (publicKey, pem) = try newKey(algorithm)
        // The kid must stay the RFC 7638 thumbprint, so the key is drawn again instead: a kid
        // starting with "-" is read as options by every command line (`keys retire -Ci…h…`
        // printed the help, for the "h" in it). One key in 32 is redrawn.
        while !isCommandLineSafe(publicKey.kid) { (publicKey, pem) = try newKey(algorithm) }
        let wrapped = try wrap.wrap(Data(pem.utf8), purpose: SigningKey.purpose(publicKey.kid))
        return SigningKey(kid: publicKey.kid, algorithm: algorithm, publicKey: publicKey, wrappedPrivateKey: wrapped, createdAt: now)
    }

    static func isCommandLineSafe(_ kid: String) -> Bool {
        guard let first = kid.first else { return false }
        return first != "-" && first != "_"
    }

    private static func newKey(_ algorithm: SigningAlgorithm) throws -> (PublicJWK, String) {
        switch algorithm {
        case .es256:
            let key = P256.Signing.PrivateKey()
            return (PublicJWK(p256: key.publicKey.rawRepresentation), key.pemRepresentation)
        case .rs256:
            let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
            let primitives = try key.publicKey.getKeyPrimitives()
            return (PublicJWK(rsaModulus: primitives.modulus, exponent: primitives.publicExponent), key.pemRepresentation)
        }
    }
}
