import Foundation

/// Where PBKDF2 runs: a few threads of its own with a bounded queue, never Swift's cooperative
/// pool, so a flood of sign-ins cannot stall every other request. The threads run at a lower
/// priority than the request threads: under load, cheap requests go first and sign-ins wait.
/// Past the queue, a sign-in is refused at once (503 with Retry-After) instead of waiting.
public final class PasswordHashPool: @unchecked Sendable {
    /// How much lower than the request threads, in nice levels: at 10 a hashing thread gets about a tenth of what a request thread gets of a busy core.
    static let niceness: Int32 = 10

    private let condition = NSCondition()
    private var jobs: [@Sendable () -> Void] = []
    private let queueLimit: Int
    private var idle: Int

    public init(threads: Int, queue: Int) {
        queueLimit = queue
        idle = 0
        for i in 0..<max(1, threads) {
            let thread = Thread { [unowned self] in
                // Named from inside, in the kernel: on Linux a name set before start does not reach
                // the thread, and `Thread.current` may not yet be this thread's object here.
                Self.nameThisThread("termauth-hash-\(i)")
                self.work()
            }
            thread.start()
        }
    }

    /// One pool per process, sized by the first settings that ask for it.
    private static let sharedLock = NSLock()
    nonisolated(unsafe) private static var sharedPool: PasswordHashPool?

    public static func shared(for security: Settings.Security) -> PasswordHashPool {
        sharedLock.lock()
        defer { sharedLock.unlock() }
        if let pool = sharedPool { return pool }
        let pool = PasswordHashPool(threads: security.passwordHashThreads, queue: security.passwordHashQueue)
        sharedPool = pool
        return pool
    }

    /// Runs `work` on a hashing thread. Throws `.overloaded` when every thread is busy and the queue is full.
    public func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            condition.lock()
            guard jobs.count < queueLimit + idle else {
                condition.unlock()
                continuation.resume(throwing: TermAuthError.overloaded("password checks", retryAfter: 1))
                return
            }
            jobs.append { continuation.resume(returning: work()) }
            condition.signal()
            condition.unlock()
        }
    }

    /// Seen in `top -H`, `ps -L` and crash reports. Written to /proc: Glibc's overlay does not
    /// offer pthread_setname_np, and the kernel keeps at most 15 bytes.
    static func nameThisThread(_ name: String) {
        #if os(Linux)
        let fd = open("/proc/thread-self/comm", O_WRONLY | O_CLOEXEC)
        if fd >= 0 {
            let bytes = Array(name.utf8.prefix(15))
            _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            close(fd)
        }
        #endif
        Thread.current.name = name
    }

    /// The kernel's name of the calling thread.
    static func nameOfThisThread() -> String {
        #if os(Linux)
        if let comm = try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8) {
            return comm.trimmingCharacters(in: .newlines)
        }
        #endif
        return Thread.current.name ?? ""
    }

    private func work() {
        #if os(Linux)
        // Per-thread nice on Linux: PRIO_PROCESS with the thread's own id, which Glibc's Swift
        // overlay does not offer (no gettid), so it is read from /proc/thread-self ("PID/task/TID").
        var link = [CChar](repeating: 0, count: 64)
        if readlink("/proc/thread-self", &link, link.count - 1) > 0,
            let tid = String(cString: link).split(separator: "/").last.flatMap({ id_t($0) })
        {
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), tid, Self.niceness)
        }
        #endif
        while true {
            condition.lock()
            idle += 1
            while jobs.isEmpty { condition.wait() }
            idle -= 1
            let job = jobs.removeFirst()
            condition.unlock()
            job()
        }
    }
}
