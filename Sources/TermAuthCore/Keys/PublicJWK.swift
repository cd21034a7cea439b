import Crypto
import Foundation

/// The public members of a signing key as RFC 7517 publishes them, and its RFC 7638
/// thumbprint. jwt-kit has no public key-set export, and its `JWK` would carry a private `d`,
/// so the published form is built here from the public key alone.
public struct PublicJWK: Sendable, Equatable, Codable {
    public var kty: String
    public var use = "sig"
    public var alg: String
    public var kid: String
    // RSA (RFC 7518 §6.3.1)
    public var n: String?
    public var e: String?
    // EC (RFC 7518 §6.2.1)
    public var crv: String?
    public var x: String?
    public var y: String?

    /// An EC P-256 public key, from its raw x‖y bytes.
    public init(p256 raw: Data) {
        let x = Base64URL.encode(raw.prefix(32))
        let y = Base64URL.encode(raw.suffix(32))
        self.init(kty: "EC", alg: SigningAlgorithm.es256.rawValue, n: nil, e: nil, crv: "P-256", x: x, y: y)
    }

    /// An RSA public key, from its big-endian modulus and exponent (RFC 7518 §2: no leading zeros).
    public init(rsaModulus modulus: Data, exponent: Data) {
        func unsigned(_ d: Data) -> String { Base64URL.encode(d.drop(while: { $0 == 0 })) }
        self.init(kty: "RSA", alg: SigningAlgorithm.rs256.rawValue, n: unsigned(modulus), e: unsigned(exponent), crv: nil, x: nil, y: nil)
    }

    private init(kty: String, alg: String, n: String?, e: String?, crv: String?, x: String?, y: String?) {
        self.kty = kty
        self.alg = alg
        self.n = n
        self.e = e
        self.crv = crv
        self.x = x
        self.y = y
        kid = ""
        kid = thumbprint
    }

    /// RFC 7638 §3: SHA-256 over the required members only, in lexicographic order, without
    /// whitespace. Every member value here is base64url or a fixed name, so none needs escaping.
    public var thumbprint: String {
        let canonical: String
        if kty == "RSA" {
            canonical = #"{"e":"\#(e ?? "")","kty":"RSA","n":"\#(n ?? "")"}"#
        } else {
            canonical = #"{"crv":"\#(crv ?? "")","kty":"EC","x":"\#(x ?? "")","y":"\#(y ?? "")"}"#
        }
        return Base64URL.encode(Data(SHA256.hash(data: Data(canonical.utf8))))
    }

    /// The stored and published form: absent members are omitted, never null.
    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }

    public init(json: String) throws {
        do {
            self = try JSONDecoder().decode(PublicJWK.self, from: Data(json.utf8))
        } catch {
            throw TermAuthError.storage("a stored signing key's public half is damaged")
        }
    }
}

import JWTKit

extension PublicJWK {
    init(es256 key: ES256PublicKey) {
        self.init(p256: (try? P256.Signing.PublicKey(pemRepresentation: key.pemRepresentation))?.rawRepresentation ?? Data())
    }

    init(rs256 key: JWTKit.Insecure.RSA.PublicKey) throws {
        let primitives = try key.getKeyPrimitives()
        self.init(rsaModulus: primitives.modulus, exponent: primitives.publicExponent)
    }
}
