/// How the demo moves from step to step.
public enum DemoMode: Sendable, Equatable {
    /// Steps follow each other at a readable pace; the person types the login and consent.
    case live
    /// Like live, but the demo types for the person too: kiosks and tests.
    case auto
    /// Waits for a key before each step: for presenters.
    case step
}
