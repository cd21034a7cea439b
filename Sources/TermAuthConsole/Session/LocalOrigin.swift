import Foundation

/// How a decision made on this machine is recorded: the front end and the local account that
/// ran it, so the audit log says who approved or denied, not only "terminal".
public enum LocalOrigin {
    public static var terminal: String { "terminal:" + account }
    public static var commandLine: String { "cli:" + account }

    static var account: String {
        if let entry = getpwuid(getuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return "uid \(getuid())"
    }
}
