import Crypto
import CryptoExtras
import Foundation

/// Makes a new signing key, its private half wrapped for the store.
enum KeyGeneration {
    static func generate(_ algorithm: SigningAlgorithm, wrap: KeyWrap, now: Int64) throws -> SigningKey {
        let publicKey: PublicJWK
        let pem: String
        switch algorithm {
        case .es256:
            let key = P256.Signing.PrivateKey()
            publicKey = PublicJWK(p256: key.publicKey.rawRepresentation)
            pem = key.pemRepresentation
        case .rs256:
            let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
            let primitives = try key.publicKey.getKeyPrimitives()
            publicKey = PublicJWK(rsaModulus: primitives.modulus, exponent: primitives.publicExponent)
            pem = key.pemRepresentation
        }
        let wrapped = try wrap.wrap(Data(pem.utf8), purpose: SigningKey.purpose(publicKey.kid))
        return SigningKey(kid: publicKey.kid, algorithm: algorithm, publicKey: publicKey, wrappedPrivateKey: wrapped, createdAt: now)
    }
}
