import Crypto
import Foundation

/// An OpenSSH public key line ("ssh-ed25519 AAAA… comment"), checked and fingerprinted. Only the
/// algorithms TermAuth's SSH server verifies are accepted: Ed25519 and ECDSA on the NIST curves.
public struct SSHPublicKey: Sendable, Equatable {
    public let type: String
    /// The key blob, as the SSH wire format carries it.
    public let blob: [UInt8]
    public let comment: String

    public static let acceptedTypes = ["ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521"]

    public init(line: String) throws(TermAuthError) {
        let fields = line.trimmingCharacters(in: .whitespacesAndNewlines).split(maxSplits: 2, whereSeparator: { $0 == " " || $0 == "\t" })
        guard fields.count >= 2 else {
            throw .invalidArgument("not an OpenSSH public key line (expected \"TYPE BASE64 [COMMENT]\", as in ~/.ssh/id_ed25519.pub)")
        }
        let type = String(fields[0])
        if type.hasPrefix("ssh-rsa") || type.hasPrefix("rsa-") {
            throw .invalidArgument("RSA keys cannot sign in here; TermAuth's SSH server takes Ed25519 or ECDSA keys (ssh-keygen -t ed25519)")
        }
        guard Self.acceptedTypes.contains(type) else {
            throw .invalidArgument(
                "key type \(Sanitized.line(type, limit: 40)) is not accepted; use one of \(Self.acceptedTypes.joined(separator: ", "))")
        }
        guard let data = Data(base64Encoded: String(fields[1])) else { throw .invalidArgument("the key is not valid base64") }
        let blob = [UInt8](data)
        guard Self.isWellFormed(blob, type: type) else { throw .invalidArgument("the \(type) key is damaged or of another type than it says") }
        self.type = type
        self.blob = blob
        comment = fields.count > 2 ? Sanitized.line(String(fields[2]), limit: 100) : ""
    }

    public init(type: String, blob: [UInt8], comment: String = "") {
        self.type = type
        self.blob = blob
        self.comment = comment
    }

    /// "SHA256:…", as `ssh-keygen -l` and OpenSSH's logs print it.
    public var fingerprint: String { Self.fingerprint(of: blob) }

    public static func fingerprint(of blob: [UInt8]) -> String {
        "SHA256:" + Data(SHA256.hash(data: blob)).base64EncodedString().replacingOccurrences(of: "=", with: "")
    }

    /// "TYPE BASE64", without the comment.
    public var openSSH: String { type + " " + Data(blob).base64EncodedString() }

    /// The blob holds the type it claims and, for each algorithm, fields of the right sizes.
    private static func isWellFormed(_ blob: [UInt8], type: String) -> Bool {
        var reader = WireReader(blob)
        guard let name = reader.string(), name == Array(type.utf8) else { return false }
        switch type {
        case "ssh-ed25519":
            return reader.string()?.count == 32 && reader.isAtEnd
        default:
            let sizes = ["ecdsa-sha2-nistp256": 65, "ecdsa-sha2-nistp384": 97, "ecdsa-sha2-nistp521": 133]
            let curve = Array(type.dropFirst("ecdsa-sha2-".count).utf8)
            guard reader.string() == curve, let point = reader.string(), point.count == sizes[type], point.first == 4 else { return false }
            return reader.isAtEnd
        }
    }

    /// RFC 4251 §5 strings: a 32-bit big-endian length, then the bytes.
    private struct WireReader {
        let bytes: [UInt8]
        var offset = 0
        init(_ bytes: [UInt8]) { self.bytes = bytes }
        var isAtEnd: Bool { offset == bytes.count }

        mutating func string() -> [UInt8]? {
            guard bytes.count - offset >= 4 else { return nil }
            let length = bytes[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
            offset += 4
            guard length <= bytes.count - offset else { return nil }
            defer { offset += length }
            return Array(bytes[offset..<offset + length])
        }
    }
}
