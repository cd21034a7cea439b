/// What a screen runner needs of a terminal. Only `NCursesTerminal` touches ncurses; tests use
/// `MemoryTerminal`.
public protocol Terminal: AnyObject {
    var size: Size { get }
    func draw(_ canvas: Canvas)
    /// The next key, or nil when `timeoutMilliseconds` passed without one.
    func readKey(timeoutMilliseconds: Int?) -> Key?
}
