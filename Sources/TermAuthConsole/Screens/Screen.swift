/// A screen is a value: keys go in through `update`, cells come out of `view`. Nothing else
/// happens inside it, so a test can drive it without a terminal.
public protocol Screen {
    associatedtype Outcome
    mutating func update(_ key: Key) -> ScreenEffect<Outcome>
    func view(size: Size, theme: Theme) -> Canvas
}

public enum ScreenEffect<Outcome> {
    case stay
    case finish(Outcome)
    /// Ctrl-C: leave the program, terminal restored.
    case quit
}

extension ScreenEffect: Equatable where Outcome: Equatable {}
