import Testing
@testable import TermAuthServer

@Suite struct ParserTests {
    @Test func formPairsKeepOrderAndRepeats() throws {
        let pairs = try FormParser.parse("a=1&b=x+y%2Bz&a=2&empty=&flag")
        #expect(pairs.map(\.0) == ["a", "b", "a", "empty", "flag"])
        #expect(pairs.map(\.1) == ["1", "x y+z", "2", "", ""])
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
