import Foundation
import TermAuthConsole

/// One request and its answer, as they went over the wire.
struct DemoExchange: Sendable {
    let method: String
    let url: URL
    let form: [(String, String)]
    let sentHeaders: [String: String]
    let status: Int
    let location: String?
    let body: Data

    var succeeded: Bool { (200..<400).contains(status) }

    /// The members of a JSON object body, values as text; empty for anything else.
    /// JSONDecoder, not JSONSerialization: on Linux the latter hands numbers out as NSNumber,
    /// which casts to Bool, so `"interval": 1` read as `true`.
    var json: [String: String] {
        guard let object = try? JSONDecoder().decode([String: JSONText].self, from: body) else { return [:] }
        return object.mapValues(\.text)
    }

    /// "→ POST /token" and the form, secrets shortened.
    var requestLines: [DemoScreen.Line] {
        var lines = [DemoScreen.Line(.request, "→ \(method) \(url.path)")]
        for name in sentHeaders.keys.sorted() {
            lines.append(.init(.field, "\(name): \(Shown.header(name, sentHeaders[name]!))"))
        }
        let pairs =
            form.isEmpty ? (URLComponents(url: url, resolvingAgainstBaseURL: false)?.queryItems ?? []).map { ($0.name, $0.value ?? "") } : form
        for (name, value) in pairs { lines.append(.init(.field, "\(name)=\(Shown.value(name, value))")) }
        return lines
    }

    /// "← 200 OK" and what came back: the Location's parameters or the JSON members.
    var responseLines: [DemoScreen.Line] {
        var lines = [DemoScreen.Line(succeeded ? .success : .failure, "← \(Shown.status(status))")]
        if let location, let components = URLComponents(string: location) {
            let base = "\(components.scheme ?? "")://\(components.host ?? "")\(components.port.map { ":\($0)" } ?? "")\(components.path)"
            lines.append(.init(.field, "Location: \(base)?"))
            for item in components.queryItems ?? [] {
                lines.append(.init(.field, "  \(item.name)=\(Shown.value(item.name, item.value ?? ""))"))
            }
        }
        let members = json
        for name in Shown.order(members.keys) { lines.append(.init(.field, "\(name): \(Shown.value(name, members[name]!))")) }
        return lines
    }
}

/// One JSON member's value as it reads: strings as they are, numbers as numbers, true/false as such.
struct JSONText: Decodable {
    let text: String

    init(from decoder: any Decoder) throws {
        let value = try decoder.singleValueContainer()
        if let string = try? value.decode(String.self) {
            text = string
        } else if let flag = try? value.decode(Bool.self) {
            text = flag ? "true" : "false"
        } else if let whole = try? value.decode(Int64.self) {
            text = String(whole)
        } else if let number = try? value.decode(Double.self) {
            text = String(number)
        } else {
            text = value.decodeNil() ? "null" : "…"
        }
    }
}
