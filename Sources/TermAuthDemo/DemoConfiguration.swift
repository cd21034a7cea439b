/// What was asked on the command line.
public struct DemoConfiguration: Sendable {
    public var mode: DemoMode
    /// Pause before each step, and ten times the pause between auto-typed keys, in milliseconds.
    public var paceMilliseconds: Int

    public init(mode: DemoMode, paceMilliseconds: Int) {
        self.mode = mode
        self.paceMilliseconds = paceMilliseconds
    }
}
