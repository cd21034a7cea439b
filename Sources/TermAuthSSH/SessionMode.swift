import Foundation

/// What a session may run: the screens, one request's confirmation, or the operator console.
/// Nothing else, and never a shell.
enum SessionMode: Equatable {
    case codeEntry
    case code(String)
    case console

    init?(command: String?) {
        let text = (command ?? "").trimmingCharacters(in: .whitespaces)
        if text.isEmpty {
            self = .codeEntry
        } else if text == "console" {
            self = .console
        } else if (4...20).contains(text.count), let first = text.unicodeScalars.first, Self.isAlphanumeric(first),
            text.unicodeScalars.allSatisfy({ Self.isAlphanumeric($0) || $0 == "-" })
        {
            // Never an option for the child: a code starts with a letter or digit.
            self = .code(text)
        } else {
            return nil
        }
    }

    var arguments: [String] {
        switch self {
        case .codeEntry: return []
        case .code(let code): return ["--code=\(code)"]
        case .console: return ["--console"]
        }
    }

    private static func isAlphanumeric(_ s: Unicode.Scalar) -> Bool {
        ("0"..."9").contains(s) || ("A"..."Z").contains(s) || ("a"..."z").contains(s)
    }
}
