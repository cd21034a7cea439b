/// Colours per UI role and the glyphs screens draw with. Screens ask for roles and glyphs;
/// the terminal turns roles into colours, or into attributes alone without colour.
public struct Theme: Sendable, Equatable {
    public struct Style: Sendable, Equatable {
        public var foreground: TerminalColor
        public var background: TerminalColor
        public var bold = false
        public var reverse = false
        public var underline = false

        public init(
            _ foreground: TerminalColor = .default, on background: TerminalColor = .default,
            bold: Bool = false, reverse: Bool = false, underline: Bool = false
        ) {
            self.foreground = foreground
            self.background = background
            self.bold = bold
            self.reverse = reverse
            self.underline = underline
        }
    }

    public struct Glyphs: Sendable, Equatable {
        public var checked = "[x]"
        public var unchecked = "[ ]"
        public var locked = "[#]"
        public var border = BorderStyle.single
    }

    public var name: String
    public var styles: [Role: Style]
    public var glyphs: Glyphs

    public func style(_ role: Role) -> Style { styles[role] ?? Style() }

    /// Compiled in, so the UI works with no theme files at all.
    public static let builtIn = Theme(
        name: "default",
        styles: [
            .text: Style(),
            .title: Style(.cyan, bold: true),
            .field: Style(.white, on: .blue),
            .focusedField: Style(.black, on: .cyan, reverse: false),
            .checkbox: Style(.green),
            .locked: Style(.yellow),
            .button: Style(.white, bold: true),
            .focusedButton: Style(.black, on: .green, bold: true),
            .error: Style(.red, bold: true),
            .hint: Style(.brightBlack),
            .border: Style(.blue),
        ],
        glyphs: Glyphs())
}

public enum TerminalColor: String, Sendable, CaseIterable {
    case `default`, black, red, green, yellow, blue, magenta, cyan, white
    case brightBlack = "bright-black"
    case brightRed = "bright-red"
    case brightGreen = "bright-green"
    case brightYellow = "bright-yellow"
    case brightBlue = "bright-blue"
    case brightMagenta = "bright-magenta"
    case brightCyan = "bright-cyan"
    case brightWhite = "bright-white"

    /// The curses colour number; -1 is the terminal's own default.
    public var number: Int16 {
        switch self {
        case .default: return -1
        default: return Int16(Self.allCases.firstIndex(of: self)! - 1)
        }
    }
}

public enum BorderStyle: String, Sendable, CaseIterable {
    case ascii, single, double, rounded, none

    /// top-left, top-right, bottom-left, bottom-right, horizontal, vertical
    public var pieces: (String, String, String, String, String, String) {
        switch self {
        case .ascii: return ("+", "+", "+", "+", "-", "|")
        case .single: return ("┌", "┐", "└", "┘", "─", "│")
        case .double: return ("╔", "╗", "╚", "╝", "═", "║")
        case .rounded: return ("╭", "╮", "╰", "╯", "─", "│")
        case .none: return (" ", " ", " ", " ", " ", " ")
        }
    }
}
