/// A terminal in memory: keys are queued by the test, frames are kept for it to read.
public final class MemoryTerminal: Terminal {
    public var size: Size
    public private(set) var frames: [Canvas] = []
    private var keys: [Key]

    public init(size: Size = Size(columns: 80, rows: 24), keys: [Key] = []) {
        self.size = size
        self.keys = keys
    }

    public func type(_ text: String) { keys += text.map { .character($0) } }
    public func press(_ key: Key...) { keys += key }

    public func draw(_ canvas: Canvas) { frames.append(canvas) }

    public func readKey(timeoutMilliseconds: Int?) -> Key? {
        keys.isEmpty ? (timeoutMilliseconds == nil ? .interrupt : nil) : keys.removeFirst()
    }

    public var screen: String { frames.last?.lines.joined(separator: "\n") ?? "" }
}
