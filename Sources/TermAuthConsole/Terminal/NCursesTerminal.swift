import CNCursesW
import Foundation

/// The real terminal. The only type that touches ncurses. It always gives the terminal back:
/// `restore()` on every exit path, and on SIGTERM, SIGHUP and SIGINT.
public final class NCursesTerminal: Terminal {
    private let theme: Theme
    private let colors: Bool
    private var restored = false

    public init(theme: Theme) {
        // Wide characters need a UTF-8 locale; over SSH LANG often names one that is not installed.
        if setlocale(LC_ALL, "") == nil || !String(cString: setlocale(LC_CTYPE, nil)).uppercased().contains("UTF") {
            setlocale(LC_ALL, "C.UTF-8")
        }
        self.theme = theme
        initscr()
        raw()
        noecho()
        nonl()
        keypad(termauth_stdscr(), true)
        set_escdelay(25)
        curs_set(0)
        let noColor = ProcessInfo.processInfo.environment["NO_COLOR"].map { !$0.isEmpty } ?? false
        colors = !noColor && has_colors()
        if colors {
            start_color()
            use_default_colors()
            for (i, role) in Role.allCases.enumerated() {
                let style = theme.style(role)
                init_pair(Int16(i + 1), style.foreground.number, style.background.number)
            }
        }
        Self.installSignalHandlers()
    }

    deinit { restore() }

    public func restore() {
        guard !restored else { return }
        restored = true
        endwin()
    }

    private static func installSignalHandlers() {
        for sig in [SIGTERM, SIGHUP, SIGINT] {
            signal(sig) { number in
                endwin()
                _exit(128 + number)
            }
        }
    }

    public var size: Size { Size(columns: Int(termauth_cols()), rows: Int(termauth_lines())) }

    public func draw(_ canvas: Canvas) {
        erase()
        for row in 0..<canvas.size.rows {
            var column = 0
            while column < canvas.size.columns {
                let role = canvas[row, column].role
                var text = ""
                let start = column
                while column < canvas.size.columns, canvas[row, column].role == role {
                    text += canvas[row, column].text
                    column += 1
                }
                put(text, row: row, column: start, role: role)
            }
        }
        if let cursor = canvas.cursor {
            curs_set(1)
            move(Int32(cursor.row), Int32(cursor.column))
        } else {
            curs_set(0)
        }
        refresh()
    }

    private func put(_ text: String, row: Int, column: Int, role: Role) {
        var wide = text.unicodeScalars.map { wchar_t(bitPattern: $0.value) }
        wide.append(0)
        let style = theme.style(role)
        var attributes = termauth_a_normal()
        if style.bold { attributes |= termauth_a_bold() }
        if style.reverse { attributes |= termauth_a_reverse() }
        if style.underline { attributes |= termauth_a_underline() }
        var pair: Int32 = 0
        if colors {
            pair = Int32((Role.allCases.firstIndex(of: role) ?? 0) + 1)
        } else {
            // Without colour, roles become attributes alone.
            switch role {
            case .focusedField, .focusedButton: attributes |= termauth_a_reverse()
            case .title, .error, .button: attributes |= termauth_a_bold()
            case .hint: attributes |= termauth_a_dim()
            default: break
            }
        }
        _ = termauth_put(Int32(row), Int32(column), wide, attributes, pair)
    }

    public func readKey(timeoutMilliseconds: Int?) -> Key? {
        // SIGWINCH may land on any of the process's threads, and then ncurses never reports the
        // resize; so wake up every 200 ms and compare the tty's real size with what curses thinks.
        var waited = 0
        while true {
            timeout(200)
            var code: wint_t = 0
            let result = get_wch(&code)
            if result != ERR { return decode(result, code) }
            // The terminal went away (an SSH connection dropped): leave as Ctrl-C does, deciding
            // nothing, instead of spinning on a descriptor that reports an error at once.
            if Self.isHungUp() { return .interrupt }
            var rows: Int32 = 0
            var columns: Int32 = 0
            if termauth_tty_size(&rows, &columns) == 0, rows != termauth_lines() || columns != termauth_cols() {
                resizeterm(rows, columns)
                return .resize
            }
            waited += 200
            if let limit = timeoutMilliseconds, waited >= limit { return nil }
        }
    }

    private static func isHungUp() -> Bool {
        var input = pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)
        return poll(&input, 1, 0) > 0 && input.revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0
    }

    private func decode(_ result: Int32, _ code: wint_t) -> Key? {
        if result == KEY_CODE_YES {
            switch Int32(code) {
            case KEY_UP: return .up
            case KEY_DOWN: return .down
            case KEY_LEFT: return .left
            case KEY_RIGHT: return .right
            case KEY_HOME: return .home
            case KEY_END: return .end
            case KEY_BTAB: return .backTab
            case KEY_BACKSPACE: return .backspace
            case KEY_DC: return .delete
            case KEY_ENTER: return .enter
            case KEY_RESIZE: return .resize
            default: return nil
            }
        }
        switch code {
        case 0x03: return .interrupt
        case 0x09: return .tab
        case 0x0A, 0x0D: return .enter
        case 0x1B: return .escape
        case 0x08, 0x7F: return .backspace
        default:
            guard let scalar = Unicode.Scalar(UInt32(code)) else { return nil }
            return .character(Character(scalar))
        }
    }
}
