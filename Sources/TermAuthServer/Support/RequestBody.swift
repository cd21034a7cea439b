import Hummingbird
import TermAuthCore

/// Reads a request body whole, for every form endpoint: a body past the upload limit keeps its
/// own 413, and one that ends early or cannot be read is the client's `invalid_request`, never a 500.
enum RequestBody {
    static func read(_ request: Request, upTo limit: Int) async throws -> ByteBuffer {
        do { return try await request.body.collect(upTo: limit) } catch let error as any HTTPResponseError {
            throw error // keeps its own status (413), which the one error mapping renders
        } catch {
            throw TermAuthError.malformedParameter("body", reason: "the request body ended early or could not be read")
        }
    }
}
