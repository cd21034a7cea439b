import Foundation
import TermAuthCore
import Testing
@testable import TermAuthServer

/// Random input against the parsers every request goes through. A seeded generator keeps any
/// failure reproducible; the properties: never crash, reject what is malformed with `Malformed`,
/// and give back exactly what a well-formed encoder put in.
@Suite struct ParserFuzzTests {
    /// SplitMix64: tiny, seeded, good enough to spread inputs.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// Bytes biased towards the ones parsers care about: % + = & NUL, high bytes, digits.
    static func hostileBytes(_ g: inout Generator) -> [UInt8] {
        let alphabet: [UInt8] = Array("%+=&;:0aF9Zz ".utf8) + [0x00, 0x7F, 0x80, 0xC3, 0xA9, 0xE2, 0x82, 0xFF, 0x0A, 0x0D]
        return (0..<Int.random(in: 0...40, using: &g)).map { _ in
            Bool.random(using: &g) ? alphabet.randomElement(using: &g)! : UInt8.random(in: 0...255, using: &g)
        }
    }

    static func randomText(_ g: inout Generator) -> String {
        let scalars: [Unicode.Scalar] = ["a", "Z", "0", " ", "+", "%", "&", "=", "~", "é", "授", "😀", "\u{202E}", "\u{1B}", "\n"]
        return String(String.UnicodeScalarView((0..<Int.random(in: 0...12, using: &g)).map { _ in scalars.randomElement(using: &g)! }))
    }

    @Test func formParserNeverCrashesAndOnlyEverReturnsValidText() {
        var g = Generator(state: 20_261_125)
        var rejected = 0
        for _ in 0..<5000 {
            let bytes = Self.hostileBytes(&g)
            let text = String(decoding: bytes, as: UTF8.self)
            do {
                let pairs = try FormParser.parse(Substring(text))
                for (key, value) in pairs {
                    #expect(!key.isEmpty)
                    #expect(!key.unicodeScalars.contains("\0") && !value.unicodeScalars.contains("\0"))
                }
            } catch {
                rejected += 1
            }
        }
        #expect(rejected > 500, "the generator must reach the error paths (\(rejected) rejections)")
    }

    @Test func encodedPairsComeBackExactlyRepeatsAndOrderKept() throws {
        var g = Generator(state: 7)
        for _ in 0..<2000 {
            let count = Int.random(in: 0...6, using: &g)
            let pairs = (0..<count).map { _ in ("k" + Self.randomText(&g), Self.randomText(&g)) }
            let encoded = pairs.map { "\(FormEncoding.encode($0.0))=\(FormEncoding.encode($0.1))" }.joined(separator: "&")
            let parsed = try FormParser.parse(Substring(encoded))
            #expect(parsed.map(\.0) == pairs.map(\.0))
            #expect(parsed.map(\.1) == pairs.map(\.1))
        }
    }

    @Test func specificMalformationsAreRefused() {
        for text in ["a=%", "a=%4", "a=%zz", "a=%00", "=x", "a=%C3%28", "%FF=1", "a=%E2%82"] {
            #expect(throws: FormParser.Malformed.self, "\(text)") { try FormParser.parse(Substring(text)) }
        }
        let many = (0...FormParser.maxParameters).map { "p\($0)=1" }.joined(separator: "&")
        #expect(throws: FormParser.Malformed.self) { try FormParser.parse(Substring(many)) }
        let long = "state=" + String(repeating: "a", count: FormParser.maxValueBytes + 1)
        #expect(throws: FormParser.Malformed.self) { try FormParser.parse(Substring(long)) }
        #expect((try? FormParser.parse("&&a=1&&")).map { $0.count } == 1, "empty fields are skipped")
    }

    @Test func basicCredentialsNeverCrashAndRoundTrip() throws {
        var g = Generator(state: 99)
        for _ in 0..<3000 {
            let raw = Data(Self.hostileBytes(&g))
            let header = Bool.random(using: &g) ? "Basic " + raw.base64EncodedString() : "Basic " + String(decoding: raw, as: UTF8.self)
            _ = try? BasicCredentials.parse(header)
        }
        for _ in 0..<1000 {
            let id = "c" + Self.randomText(&g)
            let secret = Self.randomText(&g)
            let header = "Basic " + Data("\(FormEncoding.encode(id)):\(FormEncoding.encode(secret))".utf8).base64EncodedString()
            let parsed = try #require(try BasicCredentials.parse(header))
            #expect(parsed.id == id && parsed.secret == secret)
        }
        #expect(try BasicCredentials.parse("Bearer abc") == nil)
    }
}
