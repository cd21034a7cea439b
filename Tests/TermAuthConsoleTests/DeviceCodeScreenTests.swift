import Testing
@testable import TermAuthCore
@testable import TermAuthConsole

@Suite struct DeviceCodeScreenTests {
    static func type(_ text: String, into screen: inout DeviceCodeScreen) {
        for c in text { _ = screen.update(.character(c)) }
    }

    /// Where the code field is drawn: the row of its "Code" label, and the column the field
    /// starts at (six after the label).
    static func field(_ canvas: Canvas) -> (row: Int, column: Int)? {
        for (row, line) in canvas.lines.enumerated() {
            if let range = line.range(of: "Code  ") { return (row, line.distance(from: line.startIndex, to: range.lowerBound) + 6) }
        }
        return nil
    }

    /// The field's fourteen cells as text (ASCII only: wide characters shift `line`'s indices).
    static func fieldText(_ canvas: Canvas) -> String {
        guard let (row, column) = field(canvas) else { return "" }
        return (column..<column + 14).map { canvas[row, $0].text }.joined()
    }

    @Test func saysWhatToTypeAndStartsEmptyWithTheCursorInTheField() throws {
        let canvas = DeviceCodeScreen().view(size: ScreenFixtures.size, theme: .builtIn)
        let text = ScreenFixtures.text(canvas)
        #expect(text.contains("TermAuth · Approve a device"))
        #expect(text.contains("Type the code shown on your device."))
        #expect(text.contains("It looks like BDWP-HQPK; case and dashes do not matter."))
        #expect(text.contains("Enter continue · Esc cancel · Ctrl-C quit"))
        let (row, column) = try #require(Self.field(canvas))
        #expect(Self.fieldText(canvas) == String(repeating: " ", count: 14))
        #expect((column..<column + 14).allSatisfy { canvas[row, $0].role == .focusedField })
        #expect(canvas[row, column + 14].role != .focusedField)
        #expect(canvas.cursor?.row == row && canvas.cursor?.column == column)
    }

    /// The screen hands over the code as typed; case, dashes and spaces are the core's to undo
    /// (`ApprovalCode.normalize`), as the hint on screen promises.
    @Test(arguments: ["BDWP-HQPK", "bdwp-hqpk", "bdwphqpk", "BDWP HQPK"])
    func aTypedCodeIsShownAndSubmittedAsTyped(_ typed: String) throws {
        var screen = DeviceCodeScreen()
        Self.type(typed, into: &screen)
        let canvas = screen.view(size: ScreenFixtures.size, theme: .builtIn)
        #expect(Self.fieldText(canvas).hasPrefix(typed))
        let (row, column) = try #require(Self.field(canvas))
        #expect(canvas.cursor?.row == row && canvas.cursor?.column == column + typed.count)
        #expect(screen.update(.enter) == .finish(.submit(typed)))
        #expect(ApprovalCode.normalize(typed) == "BDWP-HQPK")
    }

    @Test func backspaceAndDeleteEditAndControlCharactersNeverGetIn() {
        var screen = DeviceCodeScreen()
        Self.type("BDWP-HQPKXY", into: &screen)
        #expect(screen.update(.backspace) == .stay)
        _ = screen.update(.delete)
        #expect(screen.code.text == "BDWP-HQPK")
        for key: Key in [.character("\u{1B}"), .character("\u{7}"), .character("\u{7F}"), .character("\r\n")] {
            #expect(screen.update(key) == .stay)
        }
        #expect(screen.code.text == "BDWP-HQPK", "control characters never get into the field")
        for _ in 0..<20 { _ = screen.update(.backspace) }
        #expect(screen.code.text.isEmpty, "backspace on an empty field does nothing")
        #expect(Self.fieldText(screen.view(size: ScreenFixtures.size, theme: .builtIn)) == String(repeating: " ", count: 14))
    }

    @Test func keysThatMeanNothingHereChangeNothing() {
        var screen = DeviceCodeScreen()
        Self.type("BDWP", into: &screen)
        for key: Key in [.tab, .backTab, .up, .down, .left, .right, .home, .end, .resize] {
            #expect(screen.update(key) == .stay)
        }
        #expect(screen.code.text == "BDWP" && screen.message == nil)
    }

    @Test func enterWithNothingTypedAsksForTheCodeAndSubmitsNothing() {
        var screen = DeviceCodeScreen()
        #expect(screen.update(.enter) == .stay)
        #expect(screen.message == "Type the code your device shows.")
        #expect(ScreenFixtures.text(screen.view(size: ScreenFixtures.size, theme: .builtIn)).contains("Type the code your device shows."))
        Self.type("BDWPHQPK", into: &screen)
        #expect(screen.update(.enter) == .finish(.submit("BDWPHQPK")))
    }

    @Test func escapeCancelsAndCtrlCQuitsWhateverWasTyped() {
        var screen = DeviceCodeScreen()
        #expect(screen.update(.escape) == .finish(.cancel))
        Self.type("BDWP-HQ", into: &screen)
        #expect(screen.update(.escape) == .finish(.cancel))
        #expect(screen.update(.interrupt) == .quit)
    }

    /// A code from the command line is the only way the field starts filled.
    @Test func aCodeGivenOnTheCommandLineIsPrefilled() {
        var screen = DeviceCodeScreen(code: "BDWP-HQPK")
        #expect(Self.fieldText(screen.view(size: ScreenFixtures.size, theme: .builtIn)).hasPrefix("BDWP-HQPK"))
        #expect(screen.update(.enter) == .finish(.submit("BDWP-HQPK")))
    }

    @Test func aRefusalSaysSoStartsOverAndReplacesTheNotice() {
        var screen = DeviceCodeScreen()
        screen.notice = "The demo TV shows BDWP-HQPK."
        #expect(ScreenFixtures.text(screen.view(size: ScreenFixtures.size, theme: .builtIn)).contains("The demo TV shows BDWP-HQPK."))
        Self.type("BDWP-HQPA", into: &screen)
        screen.refused("That code is not waiting for approval. Check it and type it again.")
        #expect(screen.code.text.isEmpty)
        let text = ScreenFixtures.text(screen.view(size: ScreenFixtures.size, theme: .builtIn))
        #expect(text.contains("That code is not waiting for approval. Check it and type it again."))
        #expect(!text.contains("The demo TV shows"))
        #expect(!text.contains("BDWP-HQPA"))
    }

    /// The field shows the tail of what was typed, within its fourteen cells.
    @Test func aLongEntryShowsItsTailInsideTheField() throws {
        var screen = DeviceCodeScreen()
        Self.type("ABCDEFGHIJKLMNOPQRST", into: &screen)
        let canvas = screen.view(size: ScreenFixtures.size, theme: .builtIn)
        let (row, column) = try #require(Self.field(canvas))
        #expect(Self.fieldText(canvas) == "HIJKLMNOPQRST ")
        #expect(canvas.cursor?.row == row && canvas.cursor?.column == column + 13)
        #expect(canvas[row, column + 14].text == " ")
    }

    /// Wide characters take two columns in the field and move the cursor by two.
    @Test func wideCharactersTakeTwoColumns() throws {
        var screen = DeviceCodeScreen()
        Self.type("授权", into: &screen)
        let canvas = screen.view(size: ScreenFixtures.size, theme: .builtIn)
        let (row, column) = try #require(Self.field(canvas))
        #expect(canvas[row, column].text == "授" && canvas[row, column + 1].isContinuation)
        #expect(canvas[row, column + 2].text == "权" && canvas[row, column + 3].isContinuation)
        #expect(canvas.cursor?.row == row && canvas.cursor?.column == column + 4)
    }

    @Test func aTooSmallTerminalSaysHowBigItMustBe() {
        var screen = DeviceCodeScreen()
        Self.type("BDWP", into: &screen)
        let canvas = screen.view(size: Size(columns: 43, rows: 14), theme: .builtIn)
        let text = ScreenFixtures.text(canvas)
        #expect(text.contains("Terminal too small"))
        #expect(text.contains("44×14"))
        #expect(!text.contains("BDWP"))
        #expect(canvas.cursor?.row == nil)
        #expect(ScreenFixtures.text(screen.view(size: Size(columns: 44, rows: 13), theme: .builtIn)).contains("Terminal too small"))
        // At the minimum it draws, and keys still work while it is too small.
        #expect(ScreenFixtures.text(screen.view(size: Panel.minimum, theme: .builtIn)).contains("Type the code shown on your device."))
        #expect(screen.update(.enter) == .finish(.submit("BDWP")))
    }

    /// Text the screen did not write (the notice from the program that opened it, a code given
    /// on the command line, a refusal's message) cannot put an escape sequence, a bell or a
    /// bidirectional override on the terminal.
    @Test func hostileTextCannotRepaintTheScreen() {
        let hostile = "x\u{1B}[2J\u{1B}]0;pwned\u{7}\u{202E}\u{200B}\u{9B}y"
        var screen = DeviceCodeScreen(code: hostile)
        screen.notice = hostile
        var views = [screen.view(size: ScreenFixtures.size, theme: .builtIn)]
        screen.refused(hostile)
        views.append(screen.view(size: ScreenFixtures.size, theme: .builtIn))
        for canvas in views {
            let scalars = canvas.cells.flatMap { $0.text.unicodeScalars }
            for bad: Unicode.Scalar in ["\u{1B}", "\u{7}", "\u{202E}", "\u{200B}", "\u{9B}"] {
                #expect(!scalars.contains(bad), "U+\(String(bad.value, radix: 16, uppercase: true)) reached a cell")
            }
        }
    }
}
