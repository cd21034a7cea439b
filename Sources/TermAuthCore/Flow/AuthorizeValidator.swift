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

        // Core §6: request objects are not supported, and said so in metadata.
        if params["request"] != nil { throw refuse(.requestObjectNotSupported) }
        if params["request_uri"] != nil { throw refuse(.requestURINotSupported) }

        guard let rawType = params["response_type"] else { throw refuse(.missingParameter("response_type")) }
        guard let handler = GrantRegistry.responseType(named: rawType) else { throw refuse(.unsupportedResponseType(rawType)) }
        let responseType = handler.responseType
        // Opt-in response types (implicit, RFC 9700 §2.1.2) need a client registered with their grant.
        guard client.allows(handler.grant) else { throw refuse(.grantNotAllowed(handler.grant)) }

        let scopes: ScopeSet
        do {
            scopes = try await ScopePolicy(store: store).resolve(requested: params["scope"], for: client)
        } catch let error as TermAuthError { throw refuse(error) }

        if handler.issuesIDToken {
            guard scopes.contains(OpenIDScope.openid) else {
                throw refuse(.malformedParameter("scope", reason: "response_type \(responseType.rawValue) needs the openid scope"))
            }
            guard params["nonce"] != nil else { throw refuse(.missingParameter("nonce")) }
        }

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

        let options: AuthorizationOptions
        do { options = try Self.options(params, client: client, limits: limits) } catch let error as TermAuthError { throw refuse(error) }

        var validated = ValidatedAuthorization(
            client: client, redirectURI: redirectURI, responseType: responseType, scopes: scopes,
            state: state, codeChallenge: challenge, codeChallengeMethod: method)
        validated.redirectURISent = sent
        validated.options = options
        return validated
    }

    /// OpenID Connect Core §3.1.2.1 and RFC 8707. Every string is parked with the request, so
    /// each is bounded; unknown `prompt` values are ignored.
    static func options(_ params: OAuthParameters, client: Client, limits: Settings.Limits) throws -> AuthorizationOptions {
        var options = AuthorizationOptions()
        options.nonce = params["nonce"]
        let prompts = (params["prompt"] ?? "").split(separator: " ")
        options.prompt = Prompt.parse(params["prompt"])
        if options.prompt.contains(.none) {
            guard prompts.allSatisfy({ $0 == "none" }) else {
                throw TermAuthError.malformedParameter("prompt", reason: "none cannot be combined with other values")
            }
            // No screen may be shown, and TermAuth keeps no browser session to sign anyone in by.
            throw TermAuthError.loginRequired
        }
        if let raw = params["max_age"] {
            guard raw.utf8.count <= 10, let seconds = Int64(raw), seconds >= 0 else {
                throw TermAuthError.malformedParameter("max_age", reason: "must be a number of seconds")
            }
            options.maxAge = seconds
        }
        if let hint = params["login_hint"] {
            guard hint.utf8.count <= 256 else { throw TermAuthError.malformedParameter("login_hint", reason: "longer than 256 bytes") }
            options.loginHint = Sanitized.line(hint, limit: 64)
        }
        if let locales = params["ui_locales"] {
            let tags = locales.split(separator: " ").map(String.init)
            guard tags.count <= 10, tags.allSatisfy({ $0.count <= 35 && $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") } })
            else { throw TermAuthError.malformedParameter("ui_locales", reason: "must be at most 10 BCP 47 language tags") }
            options.uiLocales = tags
        }
        options.resource = try ResourceIndicator.resolve(params["resource"], for: client)
        return options
    }
}
