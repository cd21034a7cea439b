/// How the demo moves from step to step.
public enum DemoMode: Sendable, Equatable {
    /// Steps follow each other at a readable pace; the person types the login and consent.
    case live
    /// Like live, but the demo types for the person too: kiosks and tests.
    case auto
    /// Waits for a key before each step: for presenters.
    case step
}

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

/// `q` or Ctrl-C: leave the demo now.
struct DemoQuit: Error {}
