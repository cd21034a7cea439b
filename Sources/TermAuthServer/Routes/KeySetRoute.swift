import HTTPTypes
import Hummingbird
import TermAuthCore

/// `GET /jwks.json` (RFC 7517 §5): the public halves of every published signing key, the
/// retired ones too until the tokens they signed have expired.
struct KeySetRoute: Sendable {
    let termAuth: TermAuth

    func register(on router: Router<TermAuthRequestContext>) {
        router.get("jwks.json") { _, _ in
            var headers = HTTPFields()
            // A relying party that meets an unknown kid fetches again; no cache may answer it
            // with the set from before a rotation.
            headers[.cacheControl] = "no-cache"
            return JSONBody.response(headers: headers, KeySet(keys: try await termAuth.keys.publicKeySet()))
        }
    }
}

struct KeySet: Encodable {
    let keys: [PublicJWK]
}
