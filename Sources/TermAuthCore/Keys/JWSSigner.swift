import Foundation
import JWTKit

/// Signs JWTs with one key without going through jwt-kit's `JWTKeyCollection` actor, which is
/// jwt-kit's only signing entry point. Per token the actor cost about 17 µs beside the 20 µs of
/// the P-256 signature itself (two executor hops, and a header encoded again that never changes;
/// measured in a release build, 20,000 ES256 ID tokens). The key's `JWTAlgorithm` (from
/// `JWTKeyCollection.getKey`) and `JWTHeader` are jwt-kit's; the claims are written by
/// `ClaimsJSON`, and the compact serialization's joins (RFC 7515 §7.1) here. jwt-kit verifies
/// every token TermAuth reads back.
struct JWSSigner: Sendable {
    let kid: String
    private let algorithm: any JWTAlgorithm
    /// The encoded protected header for each `typ`, made once per key.
    private let headers: [String: String]

    static let jwtType = "JWT"

    init(kid: String, algorithm: any JWTAlgorithm, types: [String]) throws {
        self.kid = kid
        self.algorithm = algorithm
        var headers: [String: String] = [:]
        for type in types { headers[type] = try Self.encodedHeader(kid: kid, algorithm: algorithm.name, type: type) }
        self.headers = headers
    }

    func sign(_ payload: some JWTPayload, type: String?) throws -> String {
        let type = type ?? Self.jwtType
        let header = try headers[type] ?? Self.encodedHeader(kid: kid, algorithm: algorithm.name, type: type)
        var token = header + "." + Base64URL.encode(try ClaimsJSON.encode(payload))
        let signature = try algorithm.sign(Array(token.utf8))
        token += "." + Base64URL.encode(signature)
        return token
    }

    private static func encodedHeader(kid: String, algorithm: String, type: String) throws -> String {
        var header = JWTHeader()
        header.alg = algorithm
        header.typ = type
        header.kid = kid
        return Base64URL.encode(try encoder().encode(header))
    }

    /// jwt-kit's `defaultForJWT` settings, for the header (encoded once per key and type).
    private static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        return encoder
    }
}
