import Foundation
import Testing
@testable import TermAuthCore
import TermAuthTestSupport

/// Signing keys: RFC 7638 kids, private halves wrapped at rest, rotation, withdrawal, and the
/// JWT access tokens (RFC 9068) they sign.
@Suite struct SigningKeyTests {
    /// RFC 7638 §3.1's example key and thumbprint.
    @Test func theKidIsTheRFC7638Thumbprint() throws {
        let n =
            "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"
        let jwk = PublicJWK(rsaModulus: try #require(Base64URL.decode(n)), exponent: try #require(Base64URL.decode("AQAB")))
        #expect(jwk.n == n && jwk.e == "AQAB")
        #expect(jwk.kid == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs")
        // Published with public members only.
        #expect(jwk.json.contains("\"use\":\"sig\""))
        #expect(!jwk.json.contains("\"d\""))
    }

    /// A kid is typed on command lines (`keys retire KID`); one starting with "-" was read as options.
    @Test func noKidStartsWithADashOrAnUnderscore() throws {
        #expect(!KeyGeneration.isCommandLineSafe("-CiY_YeKJymQbYHJjZiNyhcYWB_jGAdJythG7zrEw2M"))
        #expect(!KeyGeneration.isCommandLineSafe("_x") && KeyGeneration.isCommandLineSafe("a-"))
        // Without the redraw, 300 keys would all pass by chance less than once in 13,000 runs.
        let wrap = KeyWrap(localKey: Data(repeating: 7, count: 32))
        for _ in 0..<300 {
            let key = try KeyGeneration.generate(.es256, wrap: wrap, now: 0)
            #expect(KeyGeneration.isCommandLineSafe(key.kid), "\(key.kid)")
            #expect(key.kid == key.publicKey.thumbprint)
        }
    }

    @Test(arguments: TestStore.all) func privateKeysAreStoredWrapped(_ store: TestStore) async throws {
        let f = try await Fixture(store)
        let keys = try await f.termAuth.signingKeys.list().keys
        #expect(Set(keys.map(\.algorithm)) == [.rs256, .es256])
        for key in keys {
            #expect(key.kid == key.publicKey.thumbprint)
            #expect(!String(decoding: key.wrappedPrivateKey, as: UTF8.self).contains("PRIVATE KEY"))
            let pem = try f.termAuth.keyWrap.unwrap(key.wrappedPrivateKey, purpose: SigningKey.purpose(key.kid))
            #expect(String(decoding: pem, as: UTF8.self).contains("PRIVATE KEY"))
            // Another installation's key file opens nothing, and a wrapped key cannot pose as another.
            #expect(throws: TermAuthError.self) {
                try KeyWrap(localKey: Data(repeating: 7, count: 32)).unwrap(key.wrappedPrivateKey, purpose: SigningKey.purpose(key.kid))
            }
            #expect(throws: TermAuthError.self) { try f.termAuth.keyWrap.unwrap(key.wrappedPrivateKey, purpose: SigningKey.purpose("other")) }
        }
    }

    func jwtClient(_ f: Fixture) async throws -> String {
        var r = ClientRegistration(id: "svc", name: "Service", redirectURIs: [], grantTypes: [.clientCredentials], mayIntrospect: true)
        r.accessTokenFormat = .jwt
        r.resources = ["https://api.example"]
        return try await f.termAuth.admin.addClient(r).secret!
    }

    @Test(arguments: TestStore.all) func jwtAccessTokensCarryRFC9068ClaimsAndAreRevocable(_ store: TestStore) async throws {
        let f = try await Fixture(store)
        _ = try await f.seeded()
        let secret = try await jwtClient(f)
        let token = try await f.exchange(["grant_type": "client_credentials", "scope": "profile"], id: "svc", secret: secret).accessToken
        let (claims, type) = try await f.termAuth.keys.verify(token, as: AccessTokenClaims.self)
        #expect(type == "at+jwt")
        #expect(JOSEHeader(token: token)?.alg == "ES256")
        #expect(claims.sub == "svc" && claims.clientID == "svc" && claims.scope == "profile")
        #expect(claims.aud == f.termAuth.issuer.value + "/resource")
        #expect(claims.authTime == nil)
        let client = try #require(try await f.termAuth.store.client(id: "svc"))
        #expect(try await f.termAuth.introspection.introspect(token, by: client).active)
        // The jti every holder can read is no bearer token by itself.
        #expect(try await f.termAuth.introspection.introspect(claims.jti, by: client).active == false)
        #expect(try await f.termAuth.revocation.revoke(token, by: client) == 1)
        #expect(try await f.termAuth.introspection.introspect(token, by: client).active == false)
        await #expect(throws: TermAuthError.invalidAccessToken) {
            _ = try await f.termAuth.resources.authorize(accessToken: token, requiredScope: "profile")
        }
    }

    @Test func theResourceParameterIsTheAudienceWhenRegistered() async throws {
        let f = try await Fixture()
        _ = try await f.seeded()
        let secret = try await jwtClient(f)
        let token = try await f.exchange(["grant_type": "client_credentials", "resource": "https://api.example"], id: "svc", secret: secret)
        #expect(try await f.termAuth.keys.verify(token.accessToken, as: AccessTokenClaims.self).claims.aud == "https://api.example")
        await #expect(throws: TermAuthError.resourceNotAllowed("https://evil.example")) {
            _ = try await f.exchange(["grant_type": "client_credentials", "resource": "https://evil.example"], id: "svc", secret: secret)
        }
        #expect(TermAuthError.resourceNotAllowed("x").oauthCode.rawValue == "invalid_target")
    }

    @Test(arguments: TestStore.all) func rotationSignsWithTheNewKeyAndKeepsTheOldOnePublished(_ store: TestStore) async throws {
        let f = try await Fixture(store)
        _ = try await f.seeded()
        let secret = try await jwtClient(f)
        let client = try #require(try await f.termAuth.store.client(id: "svc"))
        let before = try await f.exchange(["grant_type": "client_credentials"], id: "svc", secret: secret).accessToken
        let oldKid = try #require(JOSEHeader(token: before)?.kid)
        let rotated = try await f.termAuth.signingKeys.rotate(.es256)
        let after = try await f.exchange(["grant_type": "client_credentials"], id: "svc", secret: secret).accessToken
        #expect(JOSEHeader(token: after)?.kid == rotated.first?.kid)
        #expect(rotated.first?.kid != oldKid)
        // The old key stays published until its tokens expire, so they still check.
        let published = Set(try await f.termAuth.keys.publicKeySet().map(\.kid))
        #expect(published.contains(oldKid) && published.contains(rotated[0].kid))
        #expect(try await f.termAuth.introspection.introspect(before, by: client).active)
        let old = try #require(try await f.termAuth.store.signingKeys().first { $0.kid == oldKid })
        #expect(old.publishUntil == old.retiredAt! + f.termAuth.settings.longestSignedLifetime)
        // Housekeeping drops it once its last token is past (and the purge grace with it).
        f.clock.advance(f.termAuth.settings.longestSignedLifetime + 24 * 3600 + 1)
        #expect(try await f.termAuth.housekeeping.run().keys == 1)
        #expect(try await f.termAuth.store.signingKeys().contains { $0.kid == oldKid } == false)
    }

    @Test func retiringAKeyWithdrawsItAtOnce() async throws {
        let f = try await Fixture()
        _ = try await f.seeded()
        let secret = try await jwtClient(f)
        let client = try #require(try await f.termAuth.store.client(id: "svc"))
        let token = try await f.exchange(["grant_type": "client_credentials"], id: "svc", secret: secret).accessToken
        let kid = try #require(JOSEHeader(token: token)?.kid)
        try await f.termAuth.signingKeys.retire(kid: kid)
        #expect(try await f.termAuth.keys.publicKeySet().contains { $0.kid == kid } == false)
        #expect(try await f.termAuth.introspection.introspect(token, by: client).active == false)
        // A new key signs in its place.
        let next = try await f.exchange(["grant_type": "client_credentials"], id: "svc", secret: secret).accessToken
        #expect(try await f.termAuth.introspection.introspect(next, by: client).active)
        await #expect(throws: TermAuthError.notFound("signing key \(kid)")) { try await f.termAuth.signingKeys.retire(kid: kid) }
    }

    /// jwt-kit would fall back to its default key for an unknown kid; TermAuth looks it up itself.
    @Test func anUnknownKidIsRefused() async throws {
        let f = try await Fixture()
        _ = try await f.seeded()
        let secret = try await jwtClient(f)
        let token = try await f.exchange(["grant_type": "client_credentials"], id: "svc", secret: secret).accessToken
        let parts = token.split(separator: ".").map(String.init)
        let header = #"{"alg":"ES256","kid":"made-up","typ":"at+jwt"}"#
        let forged = [Base64URL.encode(Data(header.utf8)), parts[1], parts[2]].joined(separator: ".")
        await #expect(throws: TermAuthError.invalidAccessToken) { _ = try await f.termAuth.keys.verify(forged, as: AccessTokenClaims.self) }
        // Nor is an unsigned token (alg none) taken for one.
        let noneAlg = [Base64URL.encode(Data(#"{"alg":"none","typ":"at+jwt"}"#.utf8)), parts[1], ""].joined(separator: ".")
        await #expect(throws: TermAuthError.invalidAccessToken) { _ = try await f.termAuth.keys.verify(noneAlg, as: AccessTokenClaims.self) }
    }
}

/// A store shared with an installation whose key file differs (a copied database, a command
/// run without the servers' settings): nothing is signed with a key it cannot open, and nothing
/// is written that would leave the servers with one.
@Suite struct ForeignKeyFileTests {
    func redeem(_ code: String) -> OAuthParameters {
        OAuthParameters([
            "grant_type": "authorization_code", "code": code, "redirect_uri": "https://app.example/cb", "code_verifier": Fixture.verifier,
        ])
    }

    @Test func anotherKeyFileCannotSignRotateOrRetire() async throws {
        let f = try await Fixture()
        let (_, secret) = try await f.seeded()
        let mine = try await f.termAuth.signingKeys.list().keys
        let foreign = TermAuth(store: f.termAuth.engine, settings: f.termAuth.settings, approvalKey: Data(repeating: 9, count: 32), clock: f.clock)
        let seen = try await foreign.signingKeys.list()
        #expect(seen.unusable == Set(mine.map(\.kid)))
        await #expect(throws: TermAuthError.self) { _ = try await foreign.signingKeys.rotate() }
        await #expect(throws: TermAuthError.self) { try await foreign.signingKeys.retire(kid: mine[0].kid) }
        #expect(try await f.termAuth.store.signingKeys().map(\.kid) == mine.map(\.kid))
        // Its signing fails as the store's unavailability (503), never as a bad request.
        #expect(try await foreign.keys.publicKeySet().isEmpty)
        do {
            _ = try await foreign.keys.sign(
                AccessTokenClaims(iss: "x", exp: 2_000_000_000, aud: "a", sub: "s", clientID: "c", iat: 1, jti: "j"), algorithm: .es256)
            Issue.record("signed with a key it cannot open")
        } catch let error as TermAuthError {
            #expect(error.oauthCode == .temporarilyUnavailable)
        }
        // Tokens are signed after the code is redeemed or the refresh token rotated, so a request
        // whose ID token it could not sign is refused before either, and stays good for the
        // server that can sign. A code without openid needs no key and is served.
        let code = try await f.issueCode(requesting: "openid offline_access profile")
        await #expect(throws: TermAuthError.self) {
            _ = try await foreign.tokens.exchange(redeem(code), credentials: .basic(id: "app", secret: secret))
        }
        let owned = try await f.termAuth.tokens.exchange(redeem(code), credentials: .basic(id: "app", secret: secret))
        #expect(owned.idToken != nil)
        let refresh = OAuthParameters(["grant_type": "refresh_token", "refresh_token": try #require(owned.refreshToken)])
        do {
            _ = try await foreign.tokens.exchange(refresh, credentials: .basic(id: "app", secret: secret))
            Issue.record("rotated a refresh token it could not sign an ID token for")
        } catch let error as TermAuthError {
            #expect(error.oauthCode == .temporarilyUnavailable)
        }
        #expect(try await f.termAuth.tokens.exchange(refresh, credentials: .basic(id: "app", secret: secret)).idToken != nil)
        let plain = try await f.issueCode()
        #expect(try await foreign.tokens.exchange(redeem(plain), credentials: .basic(id: "app", secret: secret)).idToken == nil)
        // Its published set leaves out what it cannot vouch for; the owner's still works.
        #expect(try await f.termAuth.keys.publicKeySet().count == 2)
    }
}
