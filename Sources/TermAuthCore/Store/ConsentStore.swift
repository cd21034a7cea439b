public protocol ConsentStore: Sendable {
    func consent(userID: String, clientID: String) async throws -> Consent?
    /// Remembers `consent` added to what was remembered before (`Consent.adding`), atomically.
    func rememberConsent(_ consent: Consent) async throws
    func consents(userID: String?) async throws -> [Consent]
    /// Forgets the consent and, in the same transaction, revokes every token the user holds
    /// for that client (what the consent gave ends with it) and writes `audit(revoked)`. Nil when
    /// there was no consent, else the number of tokens revoked.
    func revokeConsent(userID: String, clientID: String, audit: @escaping @Sendable (Int) -> AuditEvent?) async throws -> Int?
}
