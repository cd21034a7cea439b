/// Every grant the server implements, in one place: the token endpoint's handlers and the
/// authorization endpoint's response types. Adding a grant is one handler file plus one line here.
public enum GrantRegistry {
    static let tokenGrants: [any GrantHandler.Type] = [
        AuthorizationCodeGrant.self,
        RefreshTokenGrant.self,
        ClientCredentialsGrant.self,
        PasswordGrant.self,
        DeviceCodeGrant.self,
    ]

    static let responseTypes: [any ResponseTypeHandler.Type] = [
        CodeResponse.self,
        ImplicitTokenResponse.self,
        IDTokenResponse.self,
        IDTokenTokenResponse.self,
    ]

    /// Grant types a client may be registered with: the token endpoint's and the authorize-only ones.
    public static var implemented: [GrantType] {
        var all = tokenGrants.map { $0.grantType }
        for handler in responseTypes where !all.contains(handler.grant) { all.append(handler.grant) }
        return all
    }

    /// The `grant_type` values the token endpoint answers.
    public static var tokenGrantTypes: [GrantType] { tokenGrants.map { $0.grantType } }

    /// The response types (RFC 6749 §3.1.1) the authorization endpoint answers: each with the
    /// grant a client needs for it, and whether its answer travels in the fragment.
    public static var authorizeResponseTypes: [(name: String, grant: GrantType, inFragment: Bool)] {
        responseTypes.map { ($0.responseType.rawValue, $0.grant, $0.inFragment) }
    }
}

extension GrantType {
    /// The one reading of a grant name, for the command line and the settings file alike: the
    /// registered name, or its last part for a URN (`device_code`), or with dashes for underscores.
    public static func parse(_ name: String) throws(TermAuthError) -> GrantType {
        let known = GrantRegistry.implemented
        if let exact = known.first(where: { $0.rawValue == name }) { return exact }
        if let short = known.first(where: { $0.rawValue.hasSuffix(":" + name) || $0.rawValue.replacingOccurrences(of: "_", with: "-") == name }) {
            return short
        }
        throw .invalidArgument("unknown grant type \(name); expected one of \(known.map(\.rawValue).joined(separator: ", "))")
    }
}

extension GrantRegistry {
    /// The handler of a `response_type` a browser may ask for; nil for anything else, the
    /// device flow's requests included (a device is answered at the token endpoint).
    /// Multi-valued response types are sets (RFC 6749 §3.1.1): any order names the same one.
    static func responseType(named name: String?) -> (any ResponseTypeHandler.Type)? {
        guard let name else { return nil }
        let canonical = name.split(separator: " ").map(String.init).sorted().joined(separator: " ")
        return responseTypes.first { $0.responseType.rawValue == canonical }
    }

    static func responseType(of request: AuthorizationRequest) -> (any ResponseTypeHandler.Type)? {
        responseTypes.first { $0.responseType == request.responseType }
    }
}
