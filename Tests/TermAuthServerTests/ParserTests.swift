import Testing
@testable import TermAuthServer

@Suite struct ParserTests {
    @Test func formPairsKeepOrderAndRepeats() throws {
        let pairs = try FormParser.parse("a=1&b=x+y%2Bz&a=2&empty=&flag")
        #expect(pairs.map(\.0) == ["a", "b", "a", "empty", "flag"])
        #expect(pairs.map(\.1) == ["1", "x y+z", "2", "", ""])
    }

    /// Split on the bytes "&" and "=" only: empty fields are skipped, a value keeps any later
    /// "=", and a combining mark after "&" does not hide the separator.
    @Test func formSplitsOnBytes() throws {
        let pairs = try FormParser.parse("&&a=b=c&&授权=值&x=&\u{301}y=1&")
        #expect(pairs.map(\.0) == ["a", "授权", "x", "\u{301}y"])
        #expect(pairs.map(\.1) == ["b=c", "值", "", "1"])
        #expect(try FormParser.parse("").isEmpty)
        #expect(try FormParser.parse("&").isEmpty)
        let slice = "skip=1&code=abc&z=9".dropFirst(7).dropLast(4)
        #expect(try FormParser.parse(slice).map(\.1) == ["abc"])
    }

    @Test(arguments: ["a=%", "a=%4", "a=%GG", "a=%FF", "a=%00", "=x", "a=%C3%28"])
    func malformedFormsAreErrors(_ text: String) {
        #expect(throws: FormParser.Malformed.self) { try FormParser.parse(Substring(text)) }
    }

    @Test func basicCredentials() throws {
        let header = "Basic " + Data("my%3Aclient:s%26cret".utf8).base64EncodedString()
        let parsed = try #require(try BasicCredentials.parse(header))
        #expect(parsed.id == "my:client")
        #expect(parsed.secret == "s&cret")
        #expect(try BasicCredentials.parse("Bearer abc") == nil)
        #expect(throws: FormParser.Malformed.self) { try BasicCredentials.parse("Basic !!!") }
        #expect(throws: FormParser.Malformed.self) { try BasicCredentials.parse("Basic " + Data("nocolon".utf8).base64EncodedString()) }
    }

    @Test func basicSchemeIsCaseInsensitiveAndBlanksAroundTheValueAreIgnored() throws {
        let value = Data("id:secret".utf8).base64EncodedString()
        for header in ["bAsIc \(value)", "Basic   \(value)", "Basic \t\(value) \t", "BASIC \(value)"] {
            let parsed = try #require(try BasicCredentials.parse(header), "\(header)")
            #expect(parsed.id == "id" && parsed.secret == "secret")
        }
        for header in ["Basic", "Basic\(value)", "Basicx \(value)", "Basi \(value)", "", " Basic \(value)"] {
            #expect(try BasicCredentials.parse(header) == nil, "\(header) is not Basic")
        }
        #expect(throws: FormParser.Malformed.self) { try BasicCredentials.parse("Basic ") }
        #expect(throws: FormParser.Malformed.self) { try BasicCredentials.parse("Basic a b") }
    }
}

import Foundation
