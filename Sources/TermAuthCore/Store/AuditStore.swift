public protocol AuditStore: Sendable {
    /// For events that change nothing else; a state change passes its row to the method that makes it.
    func appendAudit(_ event: AuditEvent) async throws
    func recentAudit(limit: Int) async throws -> [AuditEvent]
}
