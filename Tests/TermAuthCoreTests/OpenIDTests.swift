import Foundation
import Testing
@testable import TermAuthCore
import TermAuthTestSupport

/// OpenID Connect Core: ID tokens from the code flow and refresh, `offline_access`, and the
/// authorization request's `prompt`, `max_age`, `request`.
@Suite struct OpenIDTests {
    func openIDClient(_ f: Fixture, alg: SigningAlgorithm = .rs256) async throws -> String {
        var r = ClientRegistration(
            id: "rp", name: "RP", redirectURIs: ["https://rp.example/cb"], grantTypes: [.authorizationCode, .refreshToken])
        r.idTokenAlgorithm = alg
        return try await f.termAuth.admin.addClient(r).secret!
    }

    func code(_ f: Fixture, scope: String, extra: [(String, String)] = []) async throws -> (code: String, signedInAt: Int64) {
        let flow = f.termAuth.flow
        var pairs = f.authorizeQuery(extra, scope: scope)
        pairs.removeAll { $0.0 == "client_id" || $0.0 == "redirect_uri" }
        pairs += [("client_id", "rp"), ("redirect_uri", "https://rp.example/cb")]
        let parked = try await flow.park(try await flow.validator.validate(pairs), origin: "test")
        let pending = try await flow.pending(approvalCode: parked.approvalCode, source: "test")
        f.clock.advance(3)
        let user = try await flow.signIn(username: "alice", password: Fixture.password, for: pending)
        try await flow.approve(pending, user: user, scopes: nil, remember: false)
        guard case .redirect(let location) = try await flow.deliver(handle: parked.handle) else { throw TermAuthError.unknownRequest }
        return (try #require(Fixture.query(location)["code"]), user.authentication.time)
    }

    func redeem(_ f: Fixture, _ code: String, secret: String) async throws -> TokenResponse {
        try await f.exchange(
            ["grant_type": "authorization_code", "code": code, "redirect_uri": "https://rp.example/cb", "code_verifier": Fixture.verifier],
            id: "rp", secret: secret)
    }

    @Test(arguments: TestStore.all) func theCodeFlowReturnsAnIDTokenWithTheRequestsNonce(_ store: TestStore) async throws {
        let f = try await Fixture(store)
        _ = try await f.seeded()
        let secret = try await openIDClient(f)
        let alice = try #require(try await f.termAuth.store.user(username: "alice"))
        let (code, signedInAt) = try await code(f, scope: "openid profile", extra: [("nonce", "n-0S6_WzA2Mj")])
        f.clock.advance(5)
        let response = try await redeem(f, code, secret: secret)
        let idToken = try #require(response.idToken)
        let (claims, type) = try await f.termAuth.keys.verify(idToken, as: IDTokenClaims.self)
        #expect(type == "JWT")
        #expect(claims.iss == f.termAuth.issuer.value)
        #expect(claims.sub == alice.id)
        #expect(claims.sub != "alice")
        #expect(claims.aud == "rp")
        #expect(claims.nonce == "n-0S6_WzA2Mj")
        #expect(claims.authTime == signedInAt)
        #expect(claims.iat == f.clock.now())
        #expect(claims.exp == f.clock.now() + Settings().lifetimes.idToken)
        #expect(claims.atHash == IDTokenClaims.accessTokenHash(response.accessToken))
        #expect(claims.amr == ["pwd"])
        // Core §11: with openid granted, no offline_access means no refresh token.
        #expect(response.refreshToken == nil)
    }

    @Test(arguments: TestStore.all) func aRefreshKeepsTheSignInsAuthTimeAndDropsTheNonce(_ store: TestStore) async throws {
        let f = try await Fixture(store)
        _ = try await f.seeded()
        let secret = try await openIDClient(f, alg: .es256)
        let (code, signedInAt) = try await code(f, scope: "openid offline_access", extra: [("nonce", "abc")])
        let first = try await redeem(f, code, secret: secret)
        let refresh = try #require(first.refreshToken)
        f.clock.advance(600)
        let second = try await f.exchange(["grant_type": "refresh_token", "refresh_token": refresh], id: "rp", secret: secret)
        let before = try await f.termAuth.keys.verify(try #require(first.idToken), as: IDTokenClaims.self).claims
        let after = try await f.termAuth.keys.verify(try #require(second.idToken), as: IDTokenClaims.self).claims
        #expect(JOSEHeader(token: second.idToken!)?.alg == "ES256")
        #expect(after.iss == before.iss && after.sub == before.sub && after.aud == before.aud)
        #expect(after.authTime == signedInAt)
        #expect(after.iat == before.iat + 600)
        #expect(after.nonce == nil)
        #expect(after.atHash == IDTokenClaims.accessTokenHash(second.accessToken))
    }

    /// Without `openid` nothing changes: a plain OAuth grant keeps its refresh token and gets no ID token.
    @Test func plainOAuthGetsNoIDToken() async throws {
        let f = try await Fixture()
        let (_, secret) = try await f.seeded()
        let response = try await f.redeem(try await f.issueCode(), secret: secret)
        #expect(response.idToken == nil)
        #expect(response.refreshToken != nil)
    }

    @Test func promptNoneIsAnsweredLoginRequiredAndNeverCombined() async throws {
        let f = try await Fixture()
        _ = try await f.seeded()
        let validator = f.termAuth.flow.validator
        await #expect(throws: AuthorizeRejection.redirect(to: "https://app.example/cb", error: .loginRequired, state: "s t&=ate")) {
            _ = try await validator.validate(f.authorizeQuery([("prompt", "none")], scope: "openid"))
        }
        await #expect(
            throws: AuthorizeRejection.redirect(
                to: "https://app.example/cb", error: .malformedParameter("prompt", reason: "none cannot be combined with other values"),
                state: "s t&=ate")
        ) {
            _ = try await validator.validate(f.authorizeQuery([("prompt", "none login")], scope: "openid"))
        }
        // Unknown values are ignored.
        let v = try await validator.validate(f.authorizeQuery([("prompt", "select_account consent")], scope: "openid"))
        #expect(v.options.prompt == [.consent])
    }

    @Test func requestObjectsAreRefused() async throws {
        let f = try await Fixture()
        _ = try await f.seeded()
        let validator = f.termAuth.flow.validator
        await #expect(throws: AuthorizeRejection.redirect(to: "https://app.example/cb", error: .requestObjectNotSupported, state: "s t&=ate")) {
            _ = try await validator.validate(f.authorizeQuery([("request", "eyJhbGciOiJub25lIn0.e30.")]))
        }
        await #expect(throws: AuthorizeRejection.redirect(to: "https://app.example/cb", error: .requestURINotSupported, state: "s t&=ate")) {
            _ = try await validator.validate(f.authorizeQuery([("request_uri", "https://rp.example/r")]))
        }
        #expect(TermAuthError.requestObjectNotSupported.oauthCode.rawValue == "request_not_supported")
        #expect(TermAuthError.requestURINotSupported.oauthCode.rawValue == "request_uri_not_supported")
    }

    /// An earlier sign-in (an SSH key proven at connection) is too old for `prompt=login`,
    /// `max_age=0`, or a `max_age` it exceeds at approval time; one made for the request never is.
    @Test func maxAgeAndPromptLoginAskForAFreshSignIn() {
        let requestedAt: Int64 = 1000
        var options = AuthorizationOptions()
        let earlier = Authentication(time: 900, methods: ["pop"])
        let after = Authentication(time: 1001, methods: ["pwd"])
        #expect(!options.needsFreshSignIn(earlier, requestedAt: requestedAt, now: 1100))
        options.maxAge = 300
        #expect(!options.needsFreshSignIn(earlier, requestedAt: requestedAt, now: 1100))
        // Measured when the person answers, not when the request came (Core §3.1.2.1).
        #expect(options.needsFreshSignIn(earlier, requestedAt: requestedAt, now: 1300))
        options.maxAge = 60
        #expect(options.needsFreshSignIn(earlier, requestedAt: requestedAt, now: 1100))
        // A sign-in for the request itself is as fresh as the answer can be, however long the consent took.
        #expect(!options.needsFreshSignIn(after, requestedAt: requestedAt, now: 1100))
        options.maxAge = 0
        #expect(options.needsFreshSignIn(earlier, requestedAt: requestedAt, now: 1001))
        #expect(!options.needsFreshSignIn(after, requestedAt: requestedAt, now: 1100))
        options = AuthorizationOptions()
        options.prompt = [.login]
        #expect(options.needsFreshSignIn(earlier, requestedAt: requestedAt, now: 1001))
        #expect(!options.needsFreshSignIn(after, requestedAt: requestedAt, now: 1100))
    }

    @Test func promptConsentAsksAgainDespiteARememberedConsent() async throws {
        let f = try await Fixture()
        _ = try await f.seeded()
        _ = try await f.issueCode(remember: true)
        let flow = f.termAuth.flow
        let plain = try await f.parkAndSignIn()
        #expect(try await flow.consentNeeded(plain.pending, user: plain.alice) == false)
        let parked = try await flow.park(try await flow.validator.validate(f.authorizeQuery([("prompt", "consent")])), origin: "test")
        let pending = try await flow.pending(approvalCode: parked.approvalCode, source: "test")
        #expect(try await flow.consentNeeded(pending, user: plain.alice))
    }

    @Test func userInfoReleasesClaimsByScope() {
        let user = User(
            id: "u1", username: "alice", displayName: "Alice", passwordHash: "", createdAt: 10, email: "a@example.com", emailVerified: true,
            updatedAt: 20)
        let bare = UserInfoClaims(user: user, scopes: ScopeSet(["openid"]))
        #expect(bare == UserInfoClaims(user: User(id: "u1", username: "x", displayName: "", passwordHash: ""), scopes: ScopeSet(["openid"])))
        #expect(bare.name == nil && bare.email == nil && bare.preferredUsername == nil)
        let profile = UserInfoClaims(user: user, scopes: ScopeSet(["openid", "profile"]))
        #expect(profile.name == "Alice" && profile.preferredUsername == "alice" && profile.updatedAt == 20 && profile.email == nil)
        let email = UserInfoClaims(user: user, scopes: ScopeSet(["openid", "email"]))
        #expect(email.email == "a@example.com" && email.emailVerified == true && email.name == nil)
        // Absent claims are omitted from the JSON, never null.
        let json = String(decoding: try! JSONEncoder().encode(bare), as: UTF8.self)
        #expect(json == #"{"sub":"u1"}"#)
    }

    /// Core §3.2: `id_token token` and `id_token`, implicit and so opt-in, nonce required,
    /// answered in the fragment; `at_hash` binds the ID token to the access token beside it.
    @Test func implicitIDTokensNeedANonceAndTravelInTheFragment() async throws {
        let f = try await Fixture()
        _ = try await f.seeded()
        _ = try await f.termAuth.admin.addClient(
            .init(id: "spa", name: "SPA", isPublic: true, redirectURIs: ["https://spa.example/cb"], grantTypes: [.implicit]))
        let flow = f.termAuth.flow
        func query(_ type: String, nonce: String?) -> [(String, String)] {
            var pairs = [("response_type", type), ("client_id", "spa"), ("redirect_uri", "https://spa.example/cb"), ("scope", "openid profile")]
            if let nonce { pairs.append(("nonce", nonce)) }
            return pairs
        }
        await #expect(throws: AuthorizeRejection.redirectInFragment(to: "https://spa.example/cb", error: .missingParameter("nonce"), state: nil)) {
            _ = try await flow.validator.validate(query("id_token", nonce: nil))
        }
        for type in ["token id_token", "id_token"] {
            let parked = try await flow.park(try await flow.validator.validate(query(type, nonce: "n1")), origin: "test")
            let pending = try await flow.pending(approvalCode: parked.approvalCode, source: "test")
            let alice = try await flow.signIn(username: "alice", password: Fixture.password, for: pending)
            try await flow.approve(pending, user: alice, scopes: nil, remember: false)
            guard case .redirect(let location) = try await flow.deliver(handle: parked.handle) else { throw TermAuthError.unknownRequest }
            let fragment = try #require(URLComponents(string: location)?.fragment)
            let fields = Fixture.query("x:?" + fragment)
            let claims = try await f.termAuth.keys.verify(try #require(fields["id_token"]), as: IDTokenClaims.self).claims
            #expect(claims.nonce == "n1" && claims.aud == "spa")
            #expect(claims.atHash == fields["access_token"].map(IDTokenClaims.accessTokenHash))
            #expect((fields["access_token"] == nil) == (type == "id_token"))
        }
    }
}
