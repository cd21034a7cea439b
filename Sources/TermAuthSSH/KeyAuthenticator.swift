import NIOCore
import NIOSSH
import TermAuthCore

/// RFC 4252 user authentication, one per connection. A user with registered keys must prove one
/// of them; anyone else gets an unauthenticated session, whose screens ask for a password like
/// a local terminal does. NIOSSH checks a public-key signature before asking here (a bare "would
/// you accept this key?" is answered without us), so only a proven key ever maps to a user.
final class KeyAuthenticator: NIOSSHServerUserAuthenticationDelegate {
    let termAuth: TermAuth
    let connection: Connection

    init(termAuth: TermAuth, connection: Connection) {
        self.termAuth = termAuth
        self.connection = connection
    }

    var supportedAuthenticationMethods: NIOSSHAvailableUserAuthenticationMethods { .publicKey }

    func requestReceived(request: NIOSSHUserAuthenticationRequest, responsePromise: EventLoopPromise<NIOSSHUserAuthenticationOutcome>) {
        let termAuth = self.termAuth
        let connection = self.connection
        let username = request.username
        let fingerprint: String?
        switch request.request {
        case .publicKey(let proven): fingerprint = proven.publicKey.parsed?.fingerprint
        case .none: fingerprint = nil
        case .password, .hostBased:
            responsePromise.succeed(.failure)
            return
        }
        responsePromise.completeWithTask {
            guard let user = try await termAuth.store.user(username: username),
                try await !termAuth.store.userKeys(userID: user.id).isEmpty
            else {
                // Nobody's keys to check: the screens will ask who this is, as a local terminal does.
                return .success
            }
            guard let fingerprint else { return .failure }
            do {
                connection.signedIn(try await termAuth.signIn.signIn(username: username, provenKey: fingerprint, origin: connection.source))
                return .success
            } catch let error as TermAuthError where error == .invalidCredentials {
                return .failure
            }
        }
    }
}
