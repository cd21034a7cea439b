import TermAuthCore

/// The demo user's password: random per run, shown on screen, easy to type. Two approval
/// codes' worth of letters (about 69 bits) is plenty for a throw-away account.
enum DemoPassword {
    static func make() -> String {
        (ApprovalCode.generate() + "-" + ApprovalCode.generate()).lowercased()
    }
}
