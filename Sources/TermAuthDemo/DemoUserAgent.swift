import Foundation

/// The browser, played by the demo: it follows the application to `/authorize`, waits on the
/// page for the decision, and carries the redirect back to the application.
struct DemoUserAgent: Sendable {
    let http: DemoHTTP
    let server: URL

    /// Step 2: opening the authorization URL. The page parks the request; its refresh link
    /// names the request's handle.
    func open(_ url: URL) async throws -> (DemoExchange, handle: String?) {
        let exchange = try await http.get(url, headers: ["Accept": "text/html"])
        return (exchange, Self.handle(in: String(decoding: exchange.body, as: UTF8.self)))
    }

    /// Step 4: the page's refresh after the decision; answered with the redirect.
    func resume(handle: String) async throws -> DemoExchange {
        var components = URLComponents(url: server.appendingPathComponent("authorize/continue"), resolvingAgainstBaseURL: false)!
        components.queryItems = [URLQueryItem(name: "handle", value: handle)]
        return try await http.get(components.url!, headers: ["Accept": "text/html"])
    }

    /// Following the 302 to the application's redirect URI.
    func follow(_ location: String) async throws -> DemoExchange? {
        guard let url = URL(string: location) else { return nil }
        return try await http.get(url)
    }

    /// The handle from `<meta http-equiv="refresh" content="2;url=/authorize/continue?handle=…">`.
    static func handle(in page: String) -> String? {
        guard let start = page.range(of: "handle=") else { return nil }
        let rest = page[start.upperBound...]
        let encoded = rest.prefix { $0 != "\"" && $0 != "&" && $0 != "<" }
        return String(encoded).removingPercentEncoding
    }
}
