/// What a cell is for; a theme maps each role to colours, so screens never name a colour.
public enum Role: String, Sendable, CaseIterable {
    case text, title, field, focusedField, checkbox, locked, button, focusedButton, error, hint, border
}
