import HTTPTypes
import Hummingbird
import TermAuthCore

/// An access token presented the ways RFC 6750 §2 allows: `Authorization: Bearer` (§2.1), or
/// `access_token` in a form-encoded POST body (§2.2). More than one way is an error.
enum BearerToken {
    case token(String)
    case missing
    case malformed(String)

    static func read(_ request: Request, _ context: TermAuthRequestContext, formAllowed: Bool) async throws -> BearerToken {
        var fromHeader: String?
        if let header = request.headers[.authorization] {
            let parts = header.split(separator: " ", omittingEmptySubsequences: false)
            guard parts.count == 2, parts[0].lowercased() == "bearer", !parts[1].isEmpty else {
                return .malformed("malformed Authorization header")
            }
            fromHeader = String(parts[1])
        }
        var fromBody: String?
        if formAllowed, FormBody.isForm(request.headers[.contentType]) {
            let body = try await FormBody.read(request, upTo: context.maxUploadSize)
            let pairs: [(String, String)]
            do { pairs = try FormParser.parse(Substring(String(buffer: body))) } catch { return .malformed("malformed form body") }
            let tokens = pairs.filter { $0.0 == "access_token" }
            if tokens.count > 1 { return .malformed("access_token sent more than once") }
            fromBody = tokens.first?.1
        }
        switch (fromHeader, fromBody) {
        case (let header?, nil): return .token(header)
        case (nil, let body?): return body.isEmpty ? .malformed("empty access_token") : .token(body)
        case (nil, nil): return .missing
        case (.some, .some): return .malformed("the access token was sent in more than one way")
        }
    }
}
