import Foundation
import Logging
import Synchronization

/// A swift-log backend for the server's one-line-per-request log. `StreamLogHandler` formats a
/// timestamp and writes to stderr under a lock for every line, which halved `/healthz`
/// throughput here; this one appends to a shared buffer that a background thread writes out
/// every 50 ms (and at exit), so a request never waits on the terminal or the disk.
struct BufferedLogHandler: LogHandler {
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]
    let label: String
    let sink: LogSink

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var line = sink.timestamp()
        line += " \(event.level) \(label):"
        let merged = event.metadata.map { metadata.merging($0) { $1 } } ?? metadata
        if !merged.isEmpty {
            line += merged.sorted { $0.key < $1.key }.map { " \($0.key)=\($0.value)" }.joined()
        }
        line += " \(event.message)\n"
        sink.append(line)
    }
}

/// The buffer and its flusher, shared by every logger of the process.
final class LogSink: Sendable {
    static let standardError = LogSink(fd: STDERR_FILENO)

    private let fd: Int32
    private let buffer = Mutex<[UInt8]>([])
    private let clock = Mutex<(second: Int, text: String)>((-1, ""))

    init(fd: Int32) {
        self.fd = fd
        let flusher = Thread { [self] in
            while true {
                Thread.sleep(forTimeInterval: 0.05)
                flush()
            }
        }
        flusher.name = "termauth-log"
        flusher.start()
        atexit { LogSink.standardError.flush() }
    }

    func append(_ line: String) {
        let full = buffer.withLock { bytes -> Bool in
            bytes.append(contentsOf: line.utf8)
            return bytes.count > 256 * 1024
        }
        if full { flush() }
    }

    func flush() {
        let bytes = buffer.withLock { bytes -> [UInt8] in
            defer { bytes.removeAll(keepingCapacity: true) }
            return bytes
        }
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if written <= 0 { return }
            offset += written
        }
    }

    /// ISO 8601 to the second, formatted once per second rather than once per line.
    func timestamp() -> String {
        let now = Int(Date().timeIntervalSince1970)
        return clock.withLock { cached in
            if cached.second != now {
                cached = (now, Date(timeIntervalSince1970: TimeInterval(now)).formatted(.iso8601))
            }
            return cached.text
        }
    }
}
