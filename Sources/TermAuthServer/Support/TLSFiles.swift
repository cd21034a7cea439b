import Foundation
import NIOSSL
import TermAuthCore

/// The server's certificate chain and key, read and checked at start, so a wrong file is named
/// then rather than failing every handshake later.
enum TLSFiles {
    static func configuration(certificate certPath: String, key keyPath: String) throws -> TLSConfiguration {
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMBytes(Array(try read(certPath, what: "TLS certificate")))
        } catch let error as TermAuthError {
            throw error
        } catch {
            throw TermAuthError.configuration("\(certPath): not a PEM certificate (\(error))")
        }
        guard !chain.isEmpty else {
            throw TermAuthError.configuration("\(certPath): no certificate in the file (expected -----BEGIN CERTIFICATE-----)")
        }
        let notAfter = chain[0].notValidAfter
        if notAfter < time(nil) {
            throw TermAuthError.configuration("\(certPath): the certificate expired on \(Timestamp.iso8601(Int64(notAfter)))")
        }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(bytes: Array(try read(keyPath, what: "TLS key")), format: .pem)
        } catch let error as TermAuthError {
            throw error
        } catch {
            throw TermAuthError.configuration("\(keyPath): not a PEM private key, or one protected by a passphrase (\(error))")
        }
        var tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        tls.minimumTLSVersion = .tlsv12
        do {
            // Building a context checks that the key belongs to the certificate.
            _ = try NIOSSLContext(configuration: tls)
        } catch {
            throw TermAuthError.configuration("\(keyPath): this key does not belong to the certificate in \(certPath) (\(error))")
        }
        return tls
    }

    private static func read(_ path: String, what: String) throws -> Data {
        guard FileManager.default.fileExists(atPath: path) else { throw TermAuthError.configuration("\(path): \(what) file not found") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TermAuthError.configuration("\(path): cannot read the \(what) file")
        }
        return data
    }
}
