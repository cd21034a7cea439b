import Crypto
import Foundation

/// Hands a key sign-in from the SSH server to the child process that runs the screens: the
/// server proved the key in the handshake (and audited it); the child gets a short-lived ticket
/// MACed with the installation's local key, which only a process holding that key file can make,
/// and checks it against the store again (the key may have been removed meanwhile).
public struct SessionTickets: Sendable {
    let store: any UserStore & UserKeyStore
    let clock: any WallClock
    private let key: SymmetricKey
    static let lifetime: Int64 = 30

    init(store: any UserStore & UserKeyStore, clock: any WallClock, localKey: Data) {
        self.store = store
        self.clock = clock
        key = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: localKey), info: Data("termauth ssh session ticket v1".utf8), outputByteCount: 32)
    }

    struct Ticket: Codable {
        var username: String
        var key: String
        var source: String
        var expiresAt: Int64
        /// When the SSH handshake proved the key.
        var authTime: Int64
    }

    public func issue(for user: SignedInUser, source: String) throws -> String {
        guard let fingerprint = user.key else { throw TermAuthError.invalidArgument("only a key sign-in is handed to a session") }
        let body = try JSONEncoder().encode(
            Ticket(
                username: user.user.username, key: fingerprint, source: source, expiresAt: clock.now() + Self.lifetime,
                authTime: user.authentication.time))
        let mac = Data(HMAC<SHA256>.authenticationCode(for: body, using: key))
        return Base64URL.encode(body) + "." + Base64URL.encode(mac)
    }

    /// The signed-in user the ticket stands for, if it is genuine, fresh, for this source, and
    /// the key is still registered to that user.
    public func redeem(_ text: String, source: String) async throws -> SignedInUser {
        let parts = text.split(separator: ".")
        guard parts.count == 2, let body = Base64URL.decode(String(parts[0])), let mac = Base64URL.decode(String(parts[1])),
            HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: body, using: key),
            let ticket = try? JSONDecoder().decode(Ticket.self, from: body), ticket.expiresAt > clock.now(), ticket.source == source
        else { throw TermAuthError.invalidCredentials }
        guard let user = try await store.user(username: ticket.username),
            try await store.userKeys(userID: user.id).contains(where: { $0.fingerprint == ticket.key })
        else { throw TermAuthError.invalidCredentials }
        return SignedInUser(user: user, key: ticket.key, at: ticket.authTime)
    }
}
