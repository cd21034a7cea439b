/// A grid of cells: what a screen's `view` returns and a `Terminal` paints. A wide character
/// fills its cell and marks the next one as its continuation, so columns stay aligned.
public struct Canvas: Sendable, Equatable {
    public struct Cell: Sendable, Equatable {
        public var text: String
        public var role: Role
        /// The right half of a wide character: painted by its left neighbour.
        public var isContinuation: Bool

        static let blank = Cell(text: " ", role: .text, isContinuation: false)
    }

    public let size: Size
    public private(set) var cells: [Cell]
    /// Where the terminal cursor should rest (a text field being typed in), if anywhere.
    public var cursor: (row: Int, column: Int)? {
        get { cursorRow.map { ($0, cursorColumn) } }
        set {
            cursorRow = newValue?.row
            cursorColumn = newValue?.column ?? 0
        }
    }
    private var cursorRow: Int?
    private var cursorColumn = 0

    public init(size: Size) {
        self.size = size
        cells = Array(repeating: .blank, count: max(0, size.columns * size.rows))
    }

    public subscript(row: Int, column: Int) -> Cell {
        cells[row * size.columns + column]
    }

    /// Writes text from a position, clipped to the canvas; returns the column after it.
    /// The text must already be sanitised: this only measures and places it.
    @discardableResult
    public mutating func put(_ text: String, row: Int, column: Int, role: Role = .text) -> Int {
        guard row >= 0, row < size.rows else { return column }
        var x = column
        for character in text {
            let width = TextWidth.of(character)
            if width == 0 { continue }
            guard x >= 0, x + width <= size.columns else { break }
            cells[row * size.columns + x] = Cell(text: String(character), role: role, isContinuation: false)
            if width == 2 { cells[row * size.columns + x + 1] = Cell(text: "", role: role, isContinuation: true) }
            x += width
        }
        return x
    }

    /// Paints a run of cells with a role, keeping their text (focus highlight, field backgrounds).
    public mutating func fill(row: Int, from: Int, width: Int, role: Role) {
        guard row >= 0, row < size.rows else { return }
        for x in max(0, from)..<min(size.columns, from + width) {
            cells[row * size.columns + x].role = role
        }
    }

    /// One row as text: for tests and for plain output.
    public func line(_ row: Int) -> String {
        (0..<size.columns).map { self[row, $0] }.filter { !$0.isContinuation }.map(\.text).joined()
    }

    public var lines: [String] { (0..<size.rows).map(line) }

    public static func == (a: Canvas, b: Canvas) -> Bool {
        a.size == b.size && a.cells == b.cells && a.cursorRow == b.cursorRow && a.cursorColumn == b.cursorColumn
    }
}
