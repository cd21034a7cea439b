import Foundation
import HTTPTypes
import Hummingbird

enum JSONBody {
    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }()

    static func response(status: HTTPResponse.Status = .ok, headers: HTTPFields = [:], _ value: some Encodable) -> Response {
        var headers = headers
        headers[.contentType] = "application/json;charset=UTF-8"
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
