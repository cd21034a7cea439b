/// What a removal takes with it: records that mean nothing without their owner. Parked requests
/// go with their client; a user's go with the request's expiry, since the client may still
/// collect a denial.
public enum Cascade {
    /// Kinds of owned records, named as both engines name their tables.
    public enum Records: String, Sendable, CaseIterable {
        case tokens, codes, consents, requests
        case userKeys = "user_keys"
    }

    public static let clientRemoval: [Records] = [.tokens, .codes, .consents, .requests]
    public static let userRemoval: [Records] = [.tokens, .codes, .consents, .userKeys]
}
