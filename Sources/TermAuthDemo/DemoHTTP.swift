import AsyncHTTPClient
import Foundation
import NIOCore
import TermAuthCore

/// Real HTTP for the demo's application, device and user agent. Redirects are never followed:
/// the 302 that carries the authorization code is one of the steps being shown.
/// AsyncHTTPClient rather than URLSession: FoundationNetworking would load libcurl and its
/// TLS and Kerberos libraries into every termauth process, the terminal UI's too (6 MB of RSS).
final class DemoHTTP: Sendable {
    private let client = HTTPClient(configuration: .init(redirectConfiguration: .disallow, timeout: .init(connect: .seconds(15), read: .seconds(15))))
    private static let bodyLimit = 1 << 20

    /// Lets go of the client's connections once the demo is over.
    func invalidate() async { try? await client.shutdown() }

    func get(_ url: URL, headers: [String: String] = [:]) async throws -> DemoExchange {
        try await send("GET", url, form: [], headers: headers)
    }

    func post(_ url: URL, form: [(String, String)], headers: [String: String] = [:]) async throws -> DemoExchange {
        try await send("POST", url, form: form, headers: headers)
    }

    private func send(_ method: String, _ url: URL, form: [(String, String)], headers: [String: String]) async throws -> DemoExchange {
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = method == "POST" ? .POST : .GET
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if method == "POST" {
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            request.body = .bytes(ByteBuffer(string: form.map { "\(FormEncoding.encode($0.0))=\(FormEncoding.encode($0.1))" }.joined(separator: "&")))
        }
        let response = try await client.execute(request, timeout: .seconds(15))
        let body = try await response.body.collect(upTo: Self.bodyLimit)
        return DemoExchange(
            method: method, url: url, form: form, sentHeaders: headers, status: Int(response.status.code),
            location: response.headers.first(name: "Location"), body: Data(body.readableBytesView))
    }
}
