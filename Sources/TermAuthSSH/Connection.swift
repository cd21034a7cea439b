import Foundation
import Synchronization
import TermAuthCore

/// What one SSH connection has established: where it comes from and who, if anyone, proved a key.
final class Connection: Sendable {
    let source: String
    private let state = Mutex<SignedInUser?>(nil)

    init(source: String) { self.source = source }

    /// The user a registered key signed in, if any. Without one, the screens ask for a password.
    var user: SignedInUser? { state.withLock { $0 } }

    func signedIn(_ user: SignedInUser) { state.withLock { $0 = user } }
}
