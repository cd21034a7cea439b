public struct AuditEvent: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case requestParked = "request.parked"
        case loginSucceeded = "login.succeeded"
        case loginFailed = "login.failed"
        case accountLocked = "login.locked"
        case requestApproved = "request.approved"
        case requestDenied = "request.denied"
        case codeIssued = "code.issued"
        case codeReused = "code.reused"
        case refreshReused = "refresh.reused"
        case tokenIssued = "token.issued"
        case tokenRevoked = "token.revoked"
        case deviceCodeWrong = "device.wrong_code"
        case consentRevoked = "consent.revoked"
        case clientAdded = "client.added"
        case clientRemoved = "client.removed"
        case clientUpdated = "client.updated"
        case sourceLocked = "login.source_locked"
        case wrongCodesLimited = "code.limited"
        case clientSecretReset = "client.secret_reset"
        case userAdded = "user.added"
        case userRemoved = "user.removed"
        case passwordChanged = "user.password_changed"
        case userUpdated = "user.updated"
        case userKeyAdded = "user.key_added"
        case userKeyRemoved = "user.key_removed"
        case signingKeyAdded = "key.added"
        case signingKeyRetired = "key.retired"
    }

    public var at: Int64
    public var kind: Kind
    public var clientID: String?
    public var username: String?
    /// Free text; callers never put secrets here.
    public var detail: String
    /// Where the action came from: a peer address, or "terminal"/"cli" for local front ends.
    public var origin: String?

    public init(at: Int64, kind: Kind, clientID: String? = nil, username: String? = nil, detail: String = "", origin: String? = nil) {
        self.at = at
        self.kind = kind
        self.clientID = clientID
        self.username = username
        self.detail = Sanitized.line(detail, limit: 300)
        self.origin = origin.map { Sanitized.line($0, limit: 100) }
    }
}

extension AuditEvent {
    /// The same event with a detail known only once the change it records was made.
    func with(detail: String) -> AuditEvent {
        AuditEvent(at: at, kind: kind, clientID: clientID, username: username, detail: detail, origin: origin)
    }
}
