import Foundation
import Testing
@testable import TermAuthCore
@testable import TermAuthSSH

/// What an SSH session may run and what it may bring along, without a network.
@Suite struct SessionRulesTests {
    @Test func onlyTheScreensACodeOrTheConsoleRun() {
        #expect(SessionMode(command: nil) == .codeEntry)
        #expect(SessionMode(command: "  ") == .codeEntry)
        #expect(SessionMode(command: "console") == .console)
        #expect(SessionMode(command: "BDWP-HQPK") == .code("BDWP-HQPK"))
        #expect(SessionMode(command: "bdwphqpk") == .code("bdwphqpk"))
        for refused in [
            "ls -la", "sh", "/bin/sh -c id", "BDWP-HQPK; id", "$(id)", "--console", "-BDWP-HQPK", "--help", String(repeating: "B", count: 21), "ABC",
        ] {
            #expect(SessionMode(command: refused) == nil, "\(refused)")
        }
        #expect(SessionMode.code("BDWP-HQPK").arguments == ["--code=BDWP-HQPK"])
        #expect(SessionMode.console.arguments == ["--console"])
    }

    @Test func onlyTerminalAndLanguageVariablesPassWithPlainValues() {
        for (name, value) in [
            ("TERM", "xterm-256color"), ("LANG", "en_US.UTF-8"), ("LC_ALL", "C.UTF-8"), ("COLORTERM", "truecolor"), ("NO_COLOR", "1"),
        ] {
            #expect(SessionEnvironment.allowed(name, value: value), "\(name)=\(value)")
        }
        for name in [
            "TERMAUTH_SSH_TICKET", "TERMAUTH_DB", "TERMAUTH_THEME", "PATH", "LD_PRELOAD", "HOME", "XDG_DATA_HOME",
            "LC_" + String(repeating: "X", count: 30),
        ] {
            #expect(!SessionEnvironment.allowed(name, value: "x"), "\(name)")
        }
        // A locale name is looked up as a path by the C library; a terminal type names a file too.
        for value in ["/tmp/evil", "../../x", "", "a b", "x\u{1b}[2J", String(repeating: "a", count: 65)] {
            #expect(!SessionEnvironment.allowed("LC_ALL", value: value), "\(value)")
            #expect(!SessionEnvironment.isPlainWord(value))
        }
        #expect(SessionHandler.bounded(columns: 30000, rows: 30000) == (1000, 500))
        #expect(SessionHandler.bounded(columns: 0, rows: 0) == (80, 24))
        #expect(SessionHandler.bounded(columns: 120, rows: 40) == (120, 40))
    }

    @Test func connectionsAreBoundedInAllAndPerSource() {
        let limits = ConnectionLimits(maxTotal: 3, maxPerSource: 2)
        #expect(limits.enter("192.0.2.1") && limits.enter("192.0.2.1"))
        #expect(!limits.enter("192.0.2.1"))
        // An IPv6 /64 is one source.
        #expect(limits.enter("2001:db8::1"))
        #expect(!limits.enter("2001:db8::2"), "the total is reached")
        limits.leave("192.0.2.1")
        #expect(limits.enter("2001:db8::2"), "a place freed in all")
        limits.leave("192.0.2.1")
        #expect(!limits.enter("2001:db8::3"), "the /64 holds its two places")
        #expect(limits.enter("192.0.2.9"))
    }

    @Test func theHostKeyIsKeptAndFingerprintedAsOpenSSHShowsIt() throws {
        let path = NSTemporaryDirectory() + "termauth-hostkey-" + UUID().uuidString + "/key"
        let wrap = KeyWrap(localKey: Data(repeating: 3, count: 32))
        let first = try HostKey.loadOrCreate(path: path, wrap: wrap)
        let again = try HostKey.loadOrCreate(path: path, wrap: wrap)
        #expect(first.fingerprint == again.fingerprint)
        // The same key as an OpenSSH public key line, fingerprinted by the core's parser.
        let line = "ssh-ed25519 " + Data(HostKey.wireBlob(type: "ssh-ed25519", Array(first.key.publicKey.rawRepresentation))).base64EncodedString()
        #expect(try SSHPublicKey(line: line).fingerprint == first.fingerprint)
        #expect(first.fingerprint.hasPrefix("SHA256:") && first.fingerprint.count == 50)
    }
}
