import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import TermAuthCore

/// Real HTTP for the demo's application, device and user agent. Redirects are never followed:
/// the 302 that carries the authorization code is one of the steps being shown.
final class DemoHTTP: Sendable {
    private let session: URLSession

    init() {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = 15
        configuration.httpCookieStorage = nil
        session = URLSession(configuration: configuration, delegate: RedirectRefusal(), delegateQueue: nil)
    }

    /// Lets go of the session and its delegate once the demo is over.
    func invalidate() { session.invalidateAndCancel() }

    func get(_ url: URL, headers: [String: String] = [:]) async throws -> DemoExchange {
        try await send("GET", url, form: [], headers: headers)
    }

    func post(_ url: URL, form: [(String, String)], headers: [String: String] = [:]) async throws -> DemoExchange {
        try await send("POST", url, form: form, headers: headers)
    }

    private func send(_ method: String, _ url: URL, form: [(String, String)], headers: [String: String]) async throws -> DemoExchange {
        var request = URLRequest(url: url)
        request.httpMethod = method
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        if method == "POST" {
            request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
            request.httpBody = Data(form.map { "\(FormEncoding.encode($0.0))=\(FormEncoding.encode($0.1))" }.joined(separator: "&").utf8)
        }
        let (body, response) = try await session.data(for: request)
        let http = response as? HTTPURLResponse
        return DemoExchange(
            method: method, url: url, form: form, sentHeaders: headers, status: http?.statusCode ?? 0,
            location: http?.value(forHTTPHeaderField: "Location"), body: body)
    }
}

private final class RedirectRefusal: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void) {
        completionHandler(nil)
    }
}
