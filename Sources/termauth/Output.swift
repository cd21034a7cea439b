import Foundation
import TermAuthCore

/// Everything printed for a person or a script. Strings that came from the database or the
/// network pass through `Sanitized` first, so nothing stored can drive the terminal.
enum Output {
    static func line(_ text: String) {
        print(text)
    }

    static func safe(_ text: String?) -> String { Sanitized.line(text ?? "", limit: 200) }

    static func error(_ message: String) {
        FileHandle.standardError.write(Data("termauth: error: \(Sanitized.line(message, limit: 500))\n".utf8))
    }

    static func notice(_ message: String) {
        FileHandle.standardError.write(Data("termauth: \(Sanitized.line(message, limit: 500))\n".utf8))
    }

    static func json(_ value: some Encodable) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        let data = (try? encoder.encode(value)) ?? Data("null".utf8)
        print(String(decoding: data, as: UTF8.self))
    }

    /// Rows under a header, columns padded to their widest cell.
    static func table(_ header: [String], _ rows: [[String]]) {
        let all = [header] + rows.map { $0.map { safe($0) } }
        let widths = header.indices.map { i in all.map { $0[i].count }.max() ?? 0 }
        for row in all {
            print(
                row.enumerated().map { i, cell in
                    i == row.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0)
                }.joined(separator: "  "))
        }
    }

    static func date(_ t: Int64) -> String { Timestamp.iso8601(t) }

    /// Usage-like mistakes exit 2; refusals exit 1.
    static func exitCode(for error: TermAuthError) -> Int32 {
        switch error {
        case .invalidArgument, .configuration, .invalidRedirectURI, .unknownScope, .missingParameter, .malformedParameter:
            return 2
        default:
            return 1
        }
    }
}
