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
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return response(status: status, headers: headers, body: ByteBuffer(bytes: data))
    }

    /// A body already written as JSON text (the hot responses, see `JSONObject`).
    static func response(status: HTTPResponse.Status = .ok, headers: HTTPFields = [:], json: String) -> Response {
        response(status: status, headers: headers, body: ByteBuffer(string: json))
    }

    private static func response(status: HTTPResponse.Status, headers: HTTPFields, body: ByteBuffer) -> Response {
        var headers = headers
        headers[.contentType] = "application/json;charset=UTF-8"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: body))
    }

    /// JSON string escaping for hand-written bodies.
    static func escape(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

/// One flat JSON object written by hand, members in the order added, nil members left out
/// (as `encodeIfPresent` does). For the hottest responses: Foundation's JSONEncoder was
/// 5% of `/introspect` time.
struct JSONObject {
    private var text = "{"

    mutating func add(_ key: StaticString, _ value: String?) {
        guard let value else { return }
        member(key)
        text += "\""
        text += JSONBody.escape(value)
        text += "\""
    }

    mutating func add(_ key: StaticString, _ value: Int64?) {
        guard let value else { return }
        member(key)
        text += String(value)
    }

    mutating func add(_ key: StaticString, _ value: Bool) {
        member(key)
        text += value ? "true" : "false"
    }

    private mutating func member(_ key: StaticString) {
        if text.utf8.count > 1 { text += "," }
        text += "\""
        text += key.description
        text += "\":"
    }

    var json: String { text + "}" }
}
