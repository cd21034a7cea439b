import Testing
@testable import TermAuthCore
import TermAuthTestSupport

@Suite struct AuthorizationCodeGrantTests {
    @Test(arguments: TestStore.all) func codeRedeemsOnceAndReuseRevokesItsTokens(_ store: TestStore) async throws {
        let f = try await Fixture(store)
        let (_, secret) = try await f.seeded()
        let code = try await f.issueCode()
        let first = try await f.redeem(code, secret: secret)
        #expect(first.scope == ScopeSet(["profile", "email"]))
        #expect(first.refreshToken != nil)
        _ = try await f.termAuth.resources.authorize(accessToken: first.accessToken, requiredScope: "profile")

        await #expect(throws: TermAuthError.codeReused) { try await f.redeem(code, secret: secret) }
        await #expect(throws: TermAuthError.invalidAccessToken) {
            try await f.termAuth.resources.authorize(accessToken: first.accessToken, requiredScope: "profile")
        }
        await #expect(throws: TermAuthError.invalidRefreshToken) {
            try await f.exchange(["grant_type": "refresh_token", "refresh_token": first.refreshToken!], secret: secret)
        }
    }

    @Test(arguments: TestStore.all) func concurrentRedemptionsYieldExactlyOneSuccess(_ store: TestStore) async throws {
        let f = try await Fixture(store)
        let (_, secret) = try await f.seeded()
        let code = try await f.issueCode()
        let outcomes = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<50 { group.addTask { (try? await f.redeem(code, secret: secret)) != nil } }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 }.count == 1)
    }

    @Test(arguments: TestStore.all) func codeIsBoundToClientRedirectAndVerifier(_ store: TestStore) async throws {
        let f = try await Fixture(store)
        let (_, secret) = try await f.seeded()
        let (_, other) = try await f.termAuth.admin.addClient(.init(id: "other", name: "Other", redirectURIs: ["https://app.example/cb"]))
        let code = try await f.issueCode()
        let base = ["grant_type": "authorization_code", "code": code, "redirect_uri": "https://app.example/cb", "code_verifier": Fixture.verifier]
        await #expect(throws: TermAuthError.codeMismatch("client")) { try await f.exchange(base, id: "other", secret: other) }
        var wrongRedirect = base
        wrongRedirect["redirect_uri"] = "http://127.0.0.1/callback"
        await #expect(throws: TermAuthError.codeMismatch("redirect_uri")) { try await f.exchange(wrongRedirect, secret: secret) }
        var wrongVerifier = base
        wrongVerifier["code_verifier"] = String(repeating: "x", count: 43)
        await #expect(throws: TermAuthError.pkceMismatch) { try await f.exchange(wrongVerifier, secret: secret) }
        var noVerifier = base
        noVerifier["code_verifier"] = nil
        await #expect(throws: TermAuthError.missingParameter("code_verifier")) { try await f.exchange(noVerifier, secret: secret) }
        // None of the failed attempts used the code up.
        #expect(try await f.exchange(base, secret: secret).accessToken.count >= 43)
    }

    @Test(arguments: TestStore.all) func anExpiredCodeIsRefusedAndUsedUpSoItsReplayCountsAsReuse(_ store: TestStore) async throws {
        let f = try await Fixture(store)
        let (_, secret) = try await f.seeded()
        let code = try await f.issueCode()
        f.clock.advance(601)
        await #expect(throws: TermAuthError.codeExpired) { try await f.redeem(code, secret: secret) }
        await #expect(throws: TermAuthError.codeReused) { try await f.redeem(code, secret: secret) }
        let audit = try await f.termAuth.store.recentAudit(limit: 50)
        #expect(!audit.contains { $0.kind == .tokenIssued }, "an expired code issued nothing")
        #expect(audit.contains { $0.kind == .codeReused && $0.detail == "code presented again; 0 tokens revoked" })
    }

    /// The checks run inside the redemption's transaction, where SQLite gathers concurrent
    /// writes into one commit: a refused attempt must change nothing, its own code included,
    /// and the redemptions committed beside it must all stand.
    @Test(arguments: TestStore.all) func refusedAttemptsAmongConcurrentRedemptionsChangeNothing(_ store: TestStore) async throws {
        let f = try await Fixture(store)
        let (_, secret) = try await f.seeded()
        var codes: [String] = []
        for _ in 0..<12 { codes.append(try await f.issueCode()) }
        let wrong = String(repeating: "x", count: 43)
        let outcomes = await withTaskGroup(of: String.self) { group in
            for code in codes {
                for verifier in [wrong, Fixture.verifier] {
                    group.addTask {
                        let pairs = [
                            "grant_type": "authorization_code", "code": code, "redirect_uri": "https://app.example/cb", "code_verifier": verifier,
                        ]
                        do {
                            _ = try await f.exchange(pairs, secret: secret)
                            return "issued"
                        } catch {
                            return "\(error)"
                        }
                    }
                }
            }
            return await group.reduce(into: [String: Int]()) { $0[$1, default: 0] += 1 }
        }
        #expect(outcomes == ["issued": 12, "\(TermAuthError.pkceMismatch)": 12])
        let audit = try await f.termAuth.store.recentAudit(limit: 100)
        #expect(!audit.contains { $0.kind == .codeReused })
        let issued = audit.filter { $0.kind == .tokenIssued }
        #expect(issued.count == 12)
        #expect(issued.allSatisfy { $0.detail == "authorization code, scope \"email profile\"" })
    }

    @Test(arguments: TestStore.all) func publicClientsMustUsePKCE(_ store: TestStore) async throws {
        let f = try await Fixture(store)
        _ = try await f.seeded()
        _ = try await f.termAuth.admin.addClient(
            .init(id: "cli", name: "CLI", isPublic: true, redirectURIs: ["http://127.0.0.1/cb"], requirePKCE: false))
        let query = [("response_type", "code"), ("client_id", "cli"), ("redirect_uri", "http://127.0.0.1:4000/cb")]
        await #expect(throws: AuthorizeRejection.redirect(to: "http://127.0.0.1:4000/cb", error: .pkceRequired, state: nil)) {
            try await f.termAuth.flow.validator.validate(query)
        }
    }

    @Test(arguments: TestStore.all) func plainPKCEOnlyWhenTheClientAllowsIt(_ store: TestStore) async throws {
        let f = try await Fixture(store)
        _ = try await f.seeded()
        let plain = f.authorizeQuery([("code_challenge", String(repeating: "p", count: 43)), ("code_challenge_method", "plain")])
        await #expect(throws: AuthorizeRejection.redirect(to: "https://app.example/cb", error: .pkcePlainNotAllowed, state: "s t&=ate")) {
            try await f.termAuth.flow.validator.validate(plain)
        }
    }

    @Test(arguments: TestStore.all) func unknownClientAndUnregisteredRedirectAreNeverRedirected(_ store: TestStore) async throws {
        let f = try await Fixture(store)
        _ = try await f.seeded()
        await #expect(throws: AuthorizeRejection.showError(.unknownClient)) {
            try await f.termAuth.flow.validator.validate(f.authorizeQuery([("client_id", "nobody")]))
        }
        await #expect(throws: AuthorizeRejection.showError(.unregisteredRedirectURI)) {
            try await f.termAuth.flow.validator.validate(f.authorizeQuery([("redirect_uri", "https://evil.example/cb")]))
        }
        await #expect(throws: AuthorizeRejection.showError(.repeatedParameter("redirect_uri"))) {
            try await f.termAuth.flow.validator.validate(f.authorizeQuery() + [("redirect_uri", "https://app.example/cb")])
        }
    }

    @Test(arguments: TestStore.all) func otherErrorsRedirectWithState(_ store: TestStore) async throws {
        let f = try await Fixture(store)
        _ = try await f.seeded()
        await #expect(throws: AuthorizeRejection.redirect(to: "https://app.example/cb", error: .unknownScope("admin"), state: "s t&=ate")) {
            try await f.termAuth.flow.validator.validate(f.authorizeQuery(scope: "profile admin"))
        }
        await #expect(
            throws: AuthorizeRejection.redirect(to: "https://app.example/cb", error: .unsupportedResponseType("code id_token"), state: "s t&=ate")
        ) {
            try await f.termAuth.flow.validator.validate(f.authorizeQuery([("response_type", "code id_token")]))
        }
        // The implicit grant answers in the fragment, and is off unless the client has it.
        await #expect(
            throws: AuthorizeRejection.redirectInFragment(to: "https://app.example/cb", error: .grantNotAllowed(.implicit), state: "s t&=ate")
        ) {
            try await f.termAuth.flow.validator.validate(f.authorizeQuery([("response_type", "token")]))
        }
        await #expect(throws: AuthorizeRejection.redirect(to: "https://app.example/cb", error: .repeatedParameter("scope"), state: "s t&=ate")) {
            try await f.termAuth.flow.validator.validate(f.authorizeQuery() + [("scope", "email")])
        }
    }

    /// RFC 6749 §4.1.3: a redirect_uri named at /authorize must be repeated at /token, even
    /// when the client has only one registered URI; one that was implied may be left out.
    @Test(arguments: TestStore.all) func aNamedRedirectURIMustBeRepeated(_ store: TestStore) async throws {
        let f = try await Fixture(store)
        _ = try await f.seeded()
        let (_, secret) = try await f.termAuth.admin.addClient(.init(id: "one", name: "One", redirectURIs: ["https://one.example/cb"]))
        let flow = f.termAuth.flow
        func code(naming: Bool) async throws -> String {
            var pairs = f.authorizeQuery([("client_id", "one"), ("redirect_uri", naming ? "https://one.example/cb" : "")])
            pairs.removeAll { $0.0 == "redirect_uri" && !naming }
            let parked = try await flow.park(try await flow.validator.validate(pairs), origin: "test")
            let pending = try await flow.pending(approvalCode: parked.approvalCode, source: "test")
            try await flow.approve(
                pending, user: try await flow.signIn(username: "alice", password: Fixture.password, for: pending), scopes: nil, remember: false)
            guard case .redirect(let location) = try await flow.deliver(handle: parked.handle) else { throw TermAuthError.unknownRequest }
            #expect(location.hasPrefix("https://one.example/cb?"))
            return try #require(Fixture.query(location)["code"])
        }
        let base = ["grant_type": "authorization_code", "code_verifier": Fixture.verifier]
        var named = base
        named["code"] = try await code(naming: true)
        await #expect(throws: TermAuthError.missingParameter("redirect_uri")) { try await f.exchange(named, id: "one", secret: secret) }
        named["redirect_uri"] = "https://one.example/cb"
        _ = try await f.exchange(named, id: "one", secret: secret)

        var implied = base
        implied["code"] = try await code(naming: false)
        _ = try await f.exchange(implied, id: "one", secret: secret)
    }
}
