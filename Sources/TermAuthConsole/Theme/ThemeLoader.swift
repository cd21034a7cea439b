import Foundation
import TOMLKit
import TermAuthCore

/// Finds and reads theme files (`Themes/*.toml`). A name is looked up in `$TERMAUTH_THEMES`,
/// the `Themes` folder beside the sources or the binary, and /usr/share/termauth/themes; a path
/// is read as is. The built-in theme answers when no file is found for "default".
public enum ThemeLoader {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public static func load(_ nameOrPath: String?) throws -> Theme {
        let requested = nameOrPath ?? ProcessInfo.processInfo.environment["TERMAUTH_THEME"] ?? "default"
        if requested.contains("/") || requested.hasSuffix(".toml") { return try read(path: requested) }
        for directory in searchPath() {
            let path = (directory as NSString).appendingPathComponent("\(requested).toml")
            if FileManager.default.fileExists(atPath: path) { return try read(path: path) }
        }
        if requested == "default" { return .builtIn }
        throw Failure(description: "theme \(requested) not found (looked in \(searchPath().joined(separator: ", ")))")
    }

    static func searchPath() -> [String] {
        var out: [String] = []
        if let env = ProcessInfo.processInfo.environment["TERMAUTH_THEMES"], !env.isEmpty { out.append(env) }
        // A build tree: .build/<config>/termauth → Themes at the package root.
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var folder = executable.deletingLastPathComponent()
        for _ in 0..<4 {
            out.append(folder.appendingPathComponent("Themes").path)
            folder = folder.deletingLastPathComponent()
        }
        out.append("/usr/share/termauth/themes")
        return out
    }

    public static func read(path: String) throws -> Theme {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw Failure(description: "\(path): cannot read the theme file")
        }
        return try parse(text, source: path)
    }

    public static func parse(_ text: String, source: String) throws -> Theme {
        let table: TOMLTable
        do { table = try TOMLTable(string: text) } catch let error as TOMLParseError {
            throw Failure(description: "\(source):\(error.source.begin.line): \(error.description)")
        }
        var theme = Theme.builtIn
        theme.name = table["name"]?.string ?? (source as NSString).lastPathComponent.replacingOccurrences(of: ".toml", with: "")
        if let colors = table["colors"] {
            guard let colors = colors.table else { throw Failure(description: "\(source): colors must be a table") }
            for key in colors.keys {
                guard let role = Role.allCases.first(where: { snake($0.rawValue) == key }) else {
                    throw Failure(
                        description:
                            "\(source): colors.\(key): unknown role; expected one of \(Role.allCases.map { snake($0.rawValue) }.joined(separator: ", "))"
                    )
                }
                theme.styles[role] = try style(colors[key]!, at: "colors.\(key)", source: source)
            }
        }
        if let glyphs = table["glyphs"] {
            guard let glyphs = glyphs.table else { throw Failure(description: "\(source): glyphs must be a table") }
            for key in glyphs.keys {
                guard let value = glyphs[key]?.string else { throw Failure(description: "\(source): glyphs.\(key): expected a string") }
                let clean = Sanitized.line(value, limit: 8)
                switch key {
                case "checked": theme.glyphs.checked = clean
                case "unchecked": theme.glyphs.unchecked = clean
                case "locked": theme.glyphs.locked = clean
                case "border":
                    guard let border = BorderStyle(rawValue: value) else {
                        throw Failure(
                            description:
                                "\(source): glyphs.border: expected one of \(BorderStyle.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(clean)\""
                        )
                    }
                    theme.glyphs.border = border
                default:
                    throw Failure(description: "\(source): glyphs.\(key): unknown glyph; expected checked, unchecked, locked or border")
                }
            }
        }
        return theme
    }

    private static func style(_ value: any TOMLValueConvertible, at key: String, source: String) throws -> Theme.Style {
        guard let t = value.table else { throw Failure(description: "\(source): \(key): expected a table such as { fg = \"cyan\", bold = true }") }
        var style = Theme.Style()
        for field in t.keys {
            switch field {
            case "fg", "bg":
                guard let name = t[field]?.string, let color = TerminalColor(rawValue: name) else {
                    throw Failure(
                        description:
                            "\(source): \(key).\(field): expected a colour name (\(TerminalColor.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                if field == "fg" { style.foreground = color } else { style.background = color }
            case "bold", "reverse", "underline":
                guard let flag = t[field]?.bool else { throw Failure(description: "\(source): \(key).\(field): expected true or false") }
                if field == "bold" { style.bold = flag } else if field == "reverse" { style.reverse = flag } else { style.underline = flag }
            default:
                throw Failure(description: "\(source): \(key).\(field): unknown; expected fg, bg, bold, reverse or underline")
            }
        }
        return style
    }

    private static func snake(_ camel: String) -> String {
        camel.reduce(into: "") { out, c in
            if c.isUppercase { out += "_" + c.lowercased() } else { out.append(c) }
        }
    }
}
