import HTTPTypes

extension HTTPFields {
    /// RFC 6749 §5.1: responses carrying tokens or credentials must not be cached.
    static var noStore: HTTPFields {
        [.cacheControl: "no-store", HTTPField.Name("Pragma")!: "no-cache"]
    }
}
