import CPseudoTerminal
import Foundation
import Synchronization

/// One session's child: a `termauth ssh-session` process on a pseudo-terminal of its own, in a
/// new session whose controlling terminal is that pty, so it gets SIGWINCH on a resize and
/// SIGHUP when the connection drops. Started with posix_spawn; the server is multithreaded, so
/// never fork.
final class SessionProcess: Sendable {
    let pid: pid_t
    /// The pty's master side; the caller owns it once started.
    let master: Int32
    private let reaped = Mutex<Int32?>(nil)
    private let waiter = Mutex<Task<Int32, Never>?>(nil)

    private init(pid: pid_t, master: Int32) {
        self.pid = pid
        self.master = master
    }

    static func start(executable: String, arguments: [String], environment: [String: String], rows: Int, columns: Int) throws -> SessionProcess {
        var slave = [CChar](repeating: 0, count: 64)
        let master = termauth_pty_open(UInt16(clamping: rows), UInt16(clamping: columns), &slave, slave.count)
        guard master >= 0 else { throw SSHFrontEndError.spawn("cannot open a pseudo-terminal: \(String(cString: strerror(errno)))") }
        // Named as people run it, whatever path started it (/proc/self/exe).
        let argv = (["termauth"] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv + envp { free(pointer) }
        }
        var pid: pid_t = 0
        let rc = termauth_spawn_on_tty(executable, argv, envp, slave, &pid)
        guard rc == 0 else {
            close(master)
            throw SSHFrontEndError.spawn("cannot start \(executable): \(String(cString: strerror(rc)))")
        }
        return SessionProcess(pid: pid, master: master)
    }

    func resize(rows: Int, columns: Int) {
        _ = termauth_pty_resize(master, UInt16(clamping: rows), UInt16(clamping: columns))
    }

    /// The connection is gone: hang up the child's whole session, as a terminal line dropping
    /// would, and make sure it is gone a few seconds later even if it ignored that.
    func hangUp() {
        guard exitStatus == nil else { return }
        kill(-pid, SIGHUP)
        kill(pid, SIGHUP)
        let pid = self.pid
        DispatchQueue.global().asyncAfter(deadline: .now() + 5) { [self] in
            if exitStatus == nil { kill(-pid, SIGKILL) }
        }
    }

    var exitStatus: Int32? { reaped.withLock { $0 } }

    /// Waits for the child (off the event loop, once however many ask) and returns its exit
    /// status; a child ended by a signal counts as 128 + the signal, as shells report it.
    /// Never leaves a zombie.
    func reap() async -> Int32 {
        let task = waiter.withLock { waiting in
            if let waiting { return waiting }
            let pid = self.pid
            let started = Task { [self] in
                let status: Int32 = await withCheckedContinuation { continuation in
                    DispatchQueue.global().async {
                        var raw: Int32 = 0
                        var result: pid_t
                        repeat { result = waitpid(pid, &raw, 0) } while result < 0 && errno == EINTR
                        // Not ours to wait for (ECHILD): report a failure, never a success.
                        if result < 0 { raw = 255 << 8 }
                        continuation.resume(returning: raw & 0x7f == 0 ? (raw >> 8) & 0xff : 128 + (raw & 0x7f))
                    }
                }
                reaped.withLock { $0 = status }
                return status
            }
            waiting = started
            return started
        }
        return await task.value
    }
}
