import Hummingbird

/// `GET /openapi.json`: the API description kept in the repository, compiled into the binary
/// so the server always serves the document of its own version.
struct OpenAPIRoute: Sendable {
    func register(on router: Router<TermAuthRequestContext>) {
        router.get("openapi.json") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: PackageResources.openapi_json)))
        }
    }
}
