/// A one-line text input. What the person types is kept as typed; control characters never
/// get in, and the display is cut to the field's width from the right.
struct TextField: Equatable {
    var text = ""
    var masked = false
    static let maxLength = 256

    /// True when the key was consumed.
    mutating func handle(_ key: Key) -> Bool {
        switch key {
        case .character(let c):
            guard text.count < Self.maxLength, !c.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return true }
            text.append(c)
            return true
        case .backspace, .delete:
            if !text.isEmpty { text.removeLast() }
            return true
        default:
            return false
        }
    }

    /// The visible part: masked with one bullet per character, and the tail if it is too long.
    func display(width: Int) -> String {
        let shown = masked ? String(repeating: "•", count: text.count) : TextWidth.untrusted(text, width: 10_000)
        var tail = ""
        var used = 0
        for c in shown.reversed() {
            let w = TextWidth.of(c)
            if used + w > width - 1 { break }
            tail.insert(c, at: tail.startIndex)
            used += w
        }
        return tail
    }
}
