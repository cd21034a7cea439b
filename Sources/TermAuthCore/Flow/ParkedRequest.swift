/// What parking hands back: the code a person types, and the handle only the waiting agent holds.
public struct ParkedRequest: Sendable, Equatable {
    public let request: AuthorizationRequest
    public let approvalCode: String
    /// Secret to the user agent that made the request: it alone may collect the result.
    public let handle: String
}

/// A parked request together with what a person needs to decide it.
public struct PendingAuthorization: Sendable, Equatable {
    public let request: AuthorizationRequest
    public let approvalCode: String
    public let client: Client
    /// The requested scopes, in request order, with their descriptions.
    public let scopes: [Scope]
}

/// How far a parked request has come, as its waiting agent sees it.
public enum Delivery: Sendable, Equatable {
    case waiting(expiresAt: Int64)
    /// Step 4: the redirect carrying the code, or the error, to the client.
    case redirect(String)
    /// Already handed over once; a second collection gets nothing.
    case alreadyDelivered
}
