/// Checks an `/authorize` request in the order RFC 6749 §4.1.2.1 requires: the client and
/// redirect URI first (errors shown, not redirected), then everything else (errors redirected).
public struct AuthorizeValidator: Sendable {
    let store: any ClientStore & ScopeStore
    var limits = Settings.Limits()

    public func validate(_ pairs: [(String, String)]) async throws -> ValidatedAuthorization {
        // Duplicates of client_id or redirect_uri make the redirect target itself doubtful.
        for key in ["client_id", "redirect_uri"] where pairs.filter({ $0.0 == key }).count > 1 {
            throw AuthorizeRejection.showError(.repeatedParameter(key))
        }
        let first = Dictionary(pairs.filter { !$0.1.isEmpty }, uniquingKeysWith: { a, _ in a })
        guard let clientID = first["client_id"] else { throw AuthorizeRejection.showError(.missingParameter("client_id")) }
        guard let client = try await store.client(id: clientID) else { throw AuthorizeRejection.showError(.unknownClient) }

        let redirectURI: String
        let sent = first["redirect_uri"] != nil
        if let requested = first["redirect_uri"] {
            guard RedirectURI.matches(requested, registered: client.redirectURIs) else {
                throw AuthorizeRejection.showError(.unregisteredRedirectURI)
            }
            redirectURI = requested
        } else if client.redirectURIs.count == 1 {
            redirectURI = client.redirectURIs[0]
        } else {
            throw AuthorizeRejection.showError(.missingParameter("redirect_uri"))
        }

        let state = first["state"]
        let inFragment = GrantRegistry.responseType(named: first["response_type"])?.inFragment ?? false
        func refuse(_ error: TermAuthError) -> AuthorizeRejection {
            inFragment ? .redirectInFragment(to: redirectURI, error: error, state: state) : .redirect(to: redirectURI, error: error, state: state)
        }

        let params: OAuthParameters
        do { params = try OAuthParameters(pairs: pairs) } catch { throw refuse(error) }
        // Stored with the request for its whole life: an unauthenticated caller's bytes are bounded.
        for key in ["state", "nonce"] where (params[key]?.utf8.count ?? 0) > limits.maxStateBytes {
            throw refuse(.malformedParameter(key, reason: "longer than \(limits.maxStateBytes) bytes"))
        }

        guard let rawType = params["response_type"] else { throw refuse(.missingParameter("response_type")) }
        guard let handler = GrantRegistry.responseType(named: rawType) else { throw refuse(.unsupportedResponseType(rawType)) }
        let responseType = handler.responseType
        // Opt-in response types (implicit, RFC 9700 §2.1.2) need a client registered with their grant.
        guard client.allows(handler.grant) else { throw refuse(.grantNotAllowed(handler.grant)) }

        let scopes: ScopeSet
        do {
            scopes = try await ScopePolicy(store: store).resolve(requested: params["scope"], for: client)
        } catch let error as TermAuthError { throw refuse(error) }

        var challenge = params["code_challenge"]
        var method: PKCEMethod?
        if !handler.bindsPKCE {
            challenge = nil
        } else if let c = challenge {
            let rawMethod = params["code_challenge_method"] ?? "plain"
            guard let m = PKCEMethod(rawValue: rawMethod) else {
                throw refuse(.malformedParameter("code_challenge_method", reason: "must be S256 or plain"))
            }
            if m == .plain && !client.allowPlainPKCE { throw refuse(.pkcePlainNotAllowed) }
            guard PKCE.isAcceptableChallenge(c, method: m) else {
                throw refuse(
                    .malformedParameter("code_challenge", reason: m == .s256 ? "must be 43 base64url characters" : "must be 43 to 128 characters"))
            }
            method = m
        } else if params["code_challenge_method"] != nil {
            throw refuse(.missingParameter("code_challenge"))
        } else if client.mustUsePKCE {
            throw refuse(.pkceRequired)
        } else {
            challenge = nil
        }

        var validated = ValidatedAuthorization(
            client: client, redirectURI: redirectURI, responseType: responseType, scopes: scopes,
            state: state, codeChallenge: challenge, codeChallengeMethod: method)
        validated.redirectURISent = sent
        return validated
    }
}
