/// The frame every screen draws in: a bordered box centred on the terminal, a title in its top
/// edge, and a hint line at the bottom. Also the too-small message.
struct Panel {
    static let minimum = Size(columns: 44, rows: 14)

    let canvas: Canvas
    let left: Int
    let top: Int
    let width: Int
    let height: Int

    /// Inner text area: left edge and usable width.
    var inner: (left: Int, width: Int) { (left + 2, width - 4) }

    /// A row counted from the panel's top edge.
    func row(_ offset: Int) -> Int { top + offset }

    /// A row counted up from the panel's bottom edge (1 is the border itself).
    func fromBottom(_ offset: Int) -> Int { top + height - offset }

    /// nil when the terminal is too small; the returned canvas then says so.
    static func make(size: Size, theme: Theme, title: String, hint: String, preferredWidth: Int = 72, preferredHeight: Int = .max) -> (Panel?, Canvas)
    {
        var canvas = Canvas(size: size)
        guard size.columns >= minimum.columns, size.rows >= minimum.rows else {
            let message = "Terminal too small: need at least \(minimum.columns)×\(minimum.rows), have \(size.columns)×\(size.rows)."
            var row = 0
            var rest = Substring(message)
            while !rest.isEmpty && row < size.rows {
                let take = rest.prefix(max(1, size.columns))
                canvas.put(String(take), row: row, column: 0, role: .error)
                rest = rest.dropFirst(take.count)
                row += 1
            }
            return (nil, canvas)
        }
        let width = min(size.columns, preferredWidth)
        let height = max(minimum.rows, min(size.rows, preferredHeight))
        let left = (size.columns - width) / 2
        let top = (size.rows - height) / 2
        let (tl, tr, bl, br, h, v) = theme.glyphs.border.pieces
        canvas.put(tl + String(repeating: h, count: width - 2) + tr, row: top, column: left, role: .border)
        for row in (top + 1)..<(top + height - 1) {
            canvas.put(v, row: row, column: left, role: .border)
            canvas.put(v, row: row, column: left + width - 1, role: .border)
        }
        canvas.put(bl + String(repeating: h, count: width - 2) + br, row: top + height - 1, column: left, role: .border)
        canvas.put(" \(title) ", row: top, column: left + 2, role: .title)
        canvas.put(TextWidth.truncate(hint, to: width - 4), row: top + height - 2, column: left + 2, role: .hint)
        return (Panel(canvas: canvas, left: left, top: top, width: width, height: height), canvas)
    }
}

/// Button row: equal-width buttons, the focused one highlighted and marked for monochrome.
enum Buttons {
    static func draw(_ labels: [String], focused: Int?, row: Int, panel: Panel, into canvas: inout Canvas) {
        let width = labels.map { TextWidth.of($0) }.max()! + 4
        let gap = 4
        let total = labels.count * width + (labels.count - 1) * gap
        var x = panel.left + (panel.width - total) / 2
        for (i, label) in labels.enumerated() {
            let isFocused = i == focused
            let text = (isFocused ? "▶ " : "[ ") + label + (isFocused ? " ◀" : " ]")
            let padded = text + String(repeating: " ", count: max(0, width - TextWidth.of(text)))
            canvas.put(padded, row: row, column: x, role: isFocused ? .focusedButton : .button)
            x += width + gap
        }
    }
}
