import Testing
import TermAuthCore
@testable import TermAuthConsole

@Suite struct RenderingTests {
    @Test func widths() {
        #expect(TextWidth.of("abc") == 3)
        #expect(TextWidth.of("授权") == 4)
        #expect(TextWidth.of("e\u{301}") == 1)
        #expect(TextWidth.of("\u{200B}") == 0)
        #expect(TextWidth.truncate("读取你的个人资料", to: 7) == "读取你…")
        #expect(TextWidth.of(TextWidth.truncate("读取你的个人资料", to: 7)) == 7)
    }

    @Test func wideCharactersNeverSplitAtTheEdge() {
        var canvas = Canvas(size: Size(columns: 5, rows: 1))
        canvas.put("ab授权", row: 0, column: 0)
        #expect(canvas.line(0) == "ab授 ")
    }

    @Test func themesLoadAndBrokenOnesNameTheProblem() throws {
        let theme = try ThemeLoader.parse(
            """
            name = "t"
            [colors]
            focused_button = { fg = "black", bg = "bright-yellow", bold = true }
            [glyphs]
            border = "ascii"
            checked = "[*]"
            """, source: "t.toml")
        #expect(theme.style(.focusedButton) == Theme.Style(.black, on: .brightYellow, bold: true))
        #expect(theme.glyphs.border == .ascii && theme.glyphs.checked == "[*]")
        for (text, expected) in [
            ("[colors]\nbutton = { fg = \"purple\" }", "t.toml: colors.button.fg: expected a colour name"),
            ("[colors]\nknob = { }", "t.toml: colors.knob: unknown role"),
            ("[glyphs]\nborder = \"wavy\"", "t.toml: glyphs.border: expected one of"),
            ("[colors", "t.toml:1:"),
        ] {
            do {
                _ = try ThemeLoader.parse(text, source: "t.toml")
                Issue.record("accepted \(text)")
            } catch {
                #expect("\(error)".hasPrefix(expected), "\(error)")
            }
        }
    }

    @Test func shippedThemesAllLoad() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        for name in ["default", "high-contrast", "monochrome", "amber"] {
            let theme = try ThemeLoader.read(path: root.appendingPathComponent("Themes/\(name).toml").path)
            #expect(theme.name == name)
        }
    }

    @Test func languageComesFromTheEnvironment() {
        #expect(UserLanguage.preferredTag(["LANG": "zh_CN.UTF-8"]) == "zh-CN")
        #expect(UserLanguage.preferredTag(["LC_ALL": "de_CH.UTF-8", "LANG": "en_US.UTF-8"]) == "de-CH")
        #expect(UserLanguage.preferredTag(["LANG": "C.UTF-8"]) == nil)
    }
}

import Foundation
