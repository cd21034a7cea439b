import Foundation
import Synchronization
import TermAuthCore

/// What one SSH connection has established: where it comes from and who, if anyone, proved a key.
final class Connection: Sendable {
    let source: String
    private let state = Mutex<(user: SignedInUser?, sessions: Int)>((nil, 0))

    init(source: String) { self.source = source }

    /// The user a registered key signed in, if any. Without one, the screens ask for a password.
    var user: SignedInUser? { state.withLock { $0.user } }

    func signedIn(_ user: SignedInUser) { state.withLock { $0.user = user } }

    /// One session per connection: each runs a child process, and the limits count connections
    /// (a multiplexing client asking for more gets a refusal at channel open).
    func openSession() -> Bool {
        state.withLock { state in
            guard state.sessions == 0 else { return false }
            state.sessions = 1
            return true
        }
    }
}
