import Foundation

/// The controlling terminal, for a yes/no question when stdin carries the password.
public struct ConfirmationTerminal {
    let handle: FileHandle

    public static func open() throws -> ConfirmationTerminal? {
        let fd = Foundation.open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY)
        guard fd >= 0 else { return nil }
        return ConfirmationTerminal(handle: FileHandle(fileDescriptor: fd, closeOnDealloc: true))
    }

    public func ask(_ question: String) -> Bool {
        handle.write(Data(question.utf8))
        var answer: [UInt8] = []
        var byte: UInt8 = 0
        while Foundation.read(handle.fileDescriptor, &byte, 1) == 1, byte != UInt8(ascii: "\n") { answer.append(byte) }
        let text = String(decoding: answer, as: UTF8.self).trimmingCharacters(in: .whitespaces).lowercased()
        return text == "y" || text == "yes"
    }
}
