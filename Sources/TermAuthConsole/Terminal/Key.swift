/// A key press, decoded from whatever the terminal sent.
public enum Key: Sendable, Equatable {
    case character(Character)
    case enter, tab, backTab, up, down, left, right, home, end
    case backspace, delete, escape, interrupt, resize
}
