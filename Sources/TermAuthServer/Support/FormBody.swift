import Hummingbird
import TermAuthCore

/// Reads a form body whole, for every endpoint that takes one: a body past the upload limit
/// keeps its own 413, and one that ends early or cannot be read is the client's
/// `invalid_request`, never a 500.
enum FormBody {
    static func read(_ request: Request, upTo limit: Int) async throws -> ByteBuffer {
        try await collect(request.body, upTo: limit)
    }

    static func collect(_ body: RequestBody, upTo limit: Int) async throws -> ByteBuffer {
        do { return try await body.collect(upTo: limit) } catch let error as any HTTPResponseError {
            throw error // keeps its own status (413), which the one error mapping renders
        } catch {
            throw endedEarly
        }
    }

    static let endedEarly = TermAuthError.malformedParameter("body", reason: "the request body ended early or could not be read")

    /// The media type before any parameters, blanks ignored, compared case-insensitively on
    /// bytes (the string filtering this replaces showed in profiles).
    static func isForm(_ contentType: String?) -> Bool {
        guard let contentType else { return false }
        let expected = "application/x-www-form-urlencoded".utf8
        var seen = expected.startIndex
        for byte in contentType.utf8 {
            if byte == UInt8(ascii: ";") { break }
            if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") { continue }
            let lower = (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte | 0x20 : byte
            guard seen != expected.endIndex, expected[seen] == lower else { return false }
            seen = expected.index(after: seen)
        }
        return seen == expected.endIndex
    }
}
