import TermAuthCore

/// The demo user's password: random per run, shown on screen, easy to type.
enum DemoPassword {
    private static let letters = Array("bcdfghjkmnpqrstvwxz")

    static func make() -> String {
        let bytes = Array(RandomToken.bytes(12))
        let chars = bytes.map { letters[Int($0) % letters.count] }
        return String(chars[0..<4]) + "-" + String(chars[4..<8]) + "-" + String(chars[8..<12])
    }
}
