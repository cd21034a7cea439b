/// A terminal that types for the person (`termauth demo --auto`): queued keys come out one at a
/// time at a readable pace, painted on the real terminal underneath. A real `q` or Ctrl-C still
/// stops everything; once the queue is empty the real keyboard is read again.
public final class Autopilot: Terminal {
    let base: any Terminal
    let keyDelayMilliseconds: Int
    private var queue: [Key] = []

    public init(over base: any Terminal, keyDelayMilliseconds: Int) {
        self.base = base
        self.keyDelayMilliseconds = keyDelayMilliseconds
    }

    /// Keys to type next, in order.
    public func type(_ keys: [Key]) { queue += keys }

    public func type(_ text: String) { type(text.map(Key.character)) }

    /// Drops what was not typed: a screen the keys were meant for did not appear.
    public func clear() { queue.removeAll() }

    public var size: Size { base.size }

    public func draw(_ canvas: Canvas) { base.draw(canvas) }

    public func readKey(timeoutMilliseconds: Int?) -> Key? {
        guard !queue.isEmpty else { return base.readKey(timeoutMilliseconds: timeoutMilliseconds) }
        // The pause between typed keys doubles as the window in which a person can stop it.
        switch base.readKey(timeoutMilliseconds: keyDelayMilliseconds) {
        case .interrupt?, .character("q")?, .character("Q")?:
            queue.removeAll()
            return .interrupt
        case .resize?: return .resize
        default: return queue.removeFirst()
        }
    }
}
