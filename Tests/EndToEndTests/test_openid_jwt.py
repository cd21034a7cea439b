"""PyJWT as the strict judge of every token TermAuth signs.

ID tokens and RFC 9068 access tokens are decoded with one pinned algorithm, zero
leeway, every claim the specifications make mandatory required, and strict audience
matching; the key must be the one published under the header's kid in /jwks.json,
and `typ: at+jwt` is checked here (PyJWT does not look at typ). The access tokens are
then used where TermAuth itself takes them: /introspect, /revoke, /resource, /userinfo.
"""

from __future__ import annotations

import json
import time

import jwt as pyjwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from openid_helpers import (ACCESS_TOKEN_REQUIRED, ID_TOKEN_REQUIRED, REDIRECT, add_oidc_client,
                            add_person, assert_bearer_error, assert_oauth_error, authorization_params,
                            authorize, authorize_immediate, b64url, b64url_decode, client_auth,
                            discovery, fetch_jwks, introspect, location_params, redeem_ok, refresh_ok,
                            rfc7638_thumbprint, strict_decode, token_request, unverified_claims,
                            unverified_header, userinfo_get, verify_access_jwt, verify_id_token)

API = "https://api.example.org/orders"
OTHER_API = "https://billing.example.org/"
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
PRIVATE_MEMBERS = {"d", "p", "q", "dp", "dq", "qi", "oth", "k"}


def issuer_of(server) -> str:
    return discovery(server.base_url)["issuer"]


def get_resource(server, token: str) -> requests.Response:
    return requests.get(server.url("/resource"), headers={"Authorization": f"Bearer {token}"},
                        timeout=30)


def revoke(server, client: dict, token: str) -> None:
    r = requests.post(server.url("/revoke"), data={"token": token}, auth=client_auth(client),
                      timeout=30)
    assert r.status_code == 200, f"/revoke answered {r.status_code}: {r.text[:300]}"


# --------------------------------------------------------------------------
# the key set


def test_jwks_publishes_public_keys_with_rfc7638_kids(server):
    resp = requests.get(server.url("/jwks.json"), timeout=10)
    assert resp.status_code == 200
    assert resp.headers.get("Content-Type", "").split(";")[0] in (
        "application/json", "application/jwk-set+json"), resp.headers
    keys = resp.json()["keys"]
    algs = [k.get("alg") for k in keys]
    assert "RS256" in algs and "ES256" in algs, keys
    for jwk in keys:
        leaked = PRIVATE_MEMBERS & set(jwk)
        assert not leaked, f"private members {leaked} published in {jwk}"
        assert jwk.get("use") == "sig", jwk
        assert jwk["kid"] == rfc7638_thumbprint(jwk), (
            f"kid {jwk['kid']} is not the RFC 7638 thumbprint {rfc7638_thumbprint(jwk)}")
        public = pyjwt.PyJWK(jwk).key
        if jwk["alg"] == "RS256":
            assert jwk["kty"] == "RSA" and set(jwk) == {"kty", "use", "alg", "kid", "n", "e"}, jwk
            assert isinstance(public, rsa.RSAPublicKey) and public.key_size >= 2048
        else:
            assert jwk["alg"] == "ES256", jwk
            assert jwk["kty"] == "EC" and jwk["crv"] == "P-256", jwk
            assert set(jwk) == {"kty", "use", "alg", "kid", "crv", "x", "y"}, jwk
            assert isinstance(public, ec.EllipticCurvePublicKey)
            assert len(b64url_decode(jwk["x"])) == 32 and len(b64url_decode(jwk["y"])) == 32
    assert len({k["kid"] for k in keys}) == len(keys), "a kid is published twice"


# --------------------------------------------------------------------------
# ID tokens


@pytest.mark.parametrize("alg", ["RS256", "ES256"])
def test_id_token_from_code_flow(server, seeded, alg):
    person = add_person(seeded)
    client = add_oidc_client(seeded, f"jwt-id-{alg}", id_token_alg=alg if alg != "RS256" else None)
    got = authorize(server.base_url, seeded, client, person, scope="openid", nonce="n-" + alg)
    tokens = redeem_ok(server.base_url, client, got)
    claims = verify_id_token(server.base_url, tokens["id_token"], client["client_id"], alg=alg,
                             nonce="n-" + alg, access_token=tokens["access_token"])
    assert claims["sub"] == person.sub and claims["sub"] != person.username
    assert claims["iss"] == issuer_of(server)
    assert int(got.started) <= claims["auth_time"] <= claims["iat"] <= time.time()
    assert 0 < claims["exp"] - claims["iat"] <= 24 * 3600, claims

    # The judge refuses what it should: the other algorithm, another audience,
    # a changed payload.
    jwks = fetch_jwks(server.base_url)
    other = "ES256" if alg == "RS256" else "RS256"
    with pytest.raises(AssertionError):
        strict_decode(tokens["id_token"], jwks, alg=other, audience=client["client_id"],
                      issuer=claims["iss"], require=ID_TOKEN_REQUIRED)
    with pytest.raises(pyjwt.InvalidAudienceError):
        strict_decode(tokens["id_token"], jwks, alg=alg, audience=client["client_id"] + "x",
                      issuer=claims["iss"], require=ID_TOKEN_REQUIRED)
    head, body, sig = tokens["id_token"].split(".")
    forged = dict(claims, sub="someone-else")
    forged_body = b64url(json.dumps(forged).encode())
    with pytest.raises(pyjwt.InvalidSignatureError):
        strict_decode(f"{head}.{forged_body}.{sig}", jwks, alg=alg,
                      audience=client["client_id"], issuer=claims["iss"],
                      require=ID_TOKEN_REQUIRED)


def test_id_token_from_password_grant(server, seeded):
    person = add_person(seeded)
    client = add_oidc_client(seeded, "jwt-password", grants=["password"])
    before = int(time.time())
    r = token_request(server.base_url, client, grant_type="password", username=person.username,
                      password=person.password, scope="openid profile")
    assert r.status_code == 200, r.text
    tokens = r.json()
    claims = verify_id_token(server.base_url, tokens["id_token"], client["client_id"],
                             access_token=tokens["access_token"])
    assert claims["sub"] == person.sub
    assert before <= claims["auth_time"] <= claims["iat"]


def test_id_token_from_device_flow(server, seeded):
    person = add_person(seeded)
    client = add_oidc_client(seeded, "jwt-device", public=True,
                             redirect_uris=(), grants=[DEVICE_GRANT])
    before = int(time.time())
    r = requests.post(server.url("/device_authorization"),
                      data={"client_id": client["client_id"], "scope": "openid profile"},
                      timeout=10)
    assert r.status_code == 200, r.text
    device = r.json()
    seeded.approve(device["user_code"], user=person.username, password=person.password)
    r = requests.post(server.url("/token"), timeout=30, data={
        "grant_type": DEVICE_GRANT, "device_code": device["device_code"],
        "client_id": client["client_id"]})
    assert r.status_code == 200, r.text
    tokens = r.json()
    assert tokens.get("id_token"), f"device flow with openid gave no ID token: {tokens}"
    claims = verify_id_token(server.base_url, tokens["id_token"], client["client_id"],
                             access_token=tokens["access_token"])
    assert claims["sub"] == person.sub
    assert before <= claims["auth_time"] <= claims["iat"]


# --------------------------------------------------------------------------
# RFC 9068 access tokens


def test_jwt_access_token_from_code_flow(server, seeded):
    person = add_person(seeded)
    client = add_oidc_client(seeded, "jwt-at", access_token_format="jwt")
    got = authorize(server.base_url, seeded, client, person, scope="openid profile",
                    nonce="n")
    tokens = redeem_ok(server.base_url, client, got)
    access = tokens["access_token"]
    issuer = issuer_of(server)
    claims = verify_access_jwt(server.base_url, access, audience=issuer + "/resource")
    header = unverified_header(access)
    assert header["typ"] == "at+jwt" and header["alg"] == "ES256", header
    assert header["kid"] in {k["kid"] for k in fetch_jwks(server.base_url)["keys"]}
    assert claims["aud"] == issuer + "/resource", claims
    assert claims["sub"] == person.sub, claims
    assert claims["client_id"] == client["client_id"], claims
    assert set(claims["scope"].split()) == {"openid", "profile"}, claims
    id_claims = verify_id_token(server.base_url, tokens["id_token"], client["client_id"],
                                nonce="n", access_token=access)
    assert claims["auth_time"] == id_claims["auth_time"], (claims, id_claims)
    assert isinstance(claims["jti"], str) and len(claims["jti"]) >= 16, claims

    # Another token for the same grant is a different token.
    second = verify_access_jwt(server.base_url, refresh_free_token(server, seeded, client, person),
                               audience=issuer + "/resource")
    assert second["jti"] != claims["jti"]

    # TermAuth takes it where it takes opaque tokens.
    info = introspect(server.base_url, client, access)
    assert info.get("active") is True, info
    assert info.get("sub") == person.sub and info.get("client_id") == client["client_id"], info
    assert set(info.get("scope", "").split()) == {"openid", "profile"}, info
    assert info.get("exp") == claims["exp"], (info, claims)
    me = get_resource(server, access)
    assert me.status_code == 200, me.text
    assert me.json().get("sub") == person.sub, me.text
    ui = userinfo_get(server.base_url, access)
    assert ui.status_code == 200, ui.text
    assert ui.json()["sub"] == person.sub

    revoke(server, client, access)
    assert introspect(server.base_url, client, access) == {"active": False}
    assert_bearer_error(get_resource(server, access), 401, "invalid_token")
    assert_bearer_error(userinfo_get(server.base_url, access), 401, "invalid_token")


def refresh_free_token(server, seeded, client, person) -> str:
    got = authorize(server.base_url, seeded, client, person, scope="openid profile")
    return redeem_ok(server.base_url, client, got)["access_token"]


def test_jwt_access_token_audience_is_the_resource_named_at_authorize(server, seeded):
    person = add_person(seeded)
    client = add_oidc_client(seeded, "jwt-aud", access_token_format="jwt",
                             resources=[API, OTHER_API])
    got = authorize(server.base_url, seeded, client, person, scope="openid profile",
                    extra={"resource": API})
    tokens = redeem_ok(server.base_url, client, got)
    claims = verify_access_jwt(server.base_url, tokens["access_token"], audience=API)
    assert claims["aud"] == API, claims
    # strict_aud: the token is for API alone, not for any other resource.
    with pytest.raises(pyjwt.InvalidAudienceError):
        verify_access_jwt(server.base_url, tokens["access_token"],
                          audience=issuer_of(server) + "/resource")
    with pytest.raises(pyjwt.InvalidAudienceError):
        verify_access_jwt(server.base_url, tokens["access_token"], audience=OTHER_API)


def test_refreshed_jwt_access_token_keeps_audience_and_auth_time(server, seeded):
    person = add_person(seeded)
    client = add_oidc_client(seeded, "jwt-refresh", access_token_format="jwt", resources=[API])
    got = authorize(server.base_url, seeded, client, person,
                    scope="openid offline_access profile", extra={"resource": API})
    tokens = redeem_ok(server.base_url, client, got)
    first = verify_access_jwt(server.base_url, tokens["access_token"], audience=API)
    time.sleep(1.1)
    refreshed = refresh_ok(server.base_url, client, tokens["refresh_token"])
    again = verify_access_jwt(server.base_url, refreshed["access_token"], audience=API)
    assert again["aud"] == API and again["sub"] == first["sub"] == person.sub, (first, again)
    assert again["auth_time"] == first["auth_time"], (first, again)
    assert again["iat"] > first["iat"] and again["jti"] != first["jti"], (first, again)


def test_refresh_with_unregistered_resource_is_invalid_target(server, seeded):
    """RFC 8707 §2: a resource the client may not name is refused with invalid_target,
    at the refresh as at /authorize and for client credentials; it is not ignored."""
    person = add_person(seeded)
    client = add_oidc_client(seeded, "jwt-refresh-target", access_token_format="jwt",
                             resources=[API])
    got = authorize(server.base_url, seeded, client, person, scope="openid offline_access",
                    extra={"resource": API})
    tokens = redeem_ok(server.base_url, client, got)
    r = token_request(server.base_url, client, grant_type="refresh_token",
                      refresh_token=tokens["refresh_token"], resource=OTHER_API)
    assert_oauth_error(r, 400, "invalid_target")


def test_resource_refuses_a_jwt_access_token_for_another_audience(server, seeded):
    """RFC 9068 §4 and RFC 8707 §2: a resource server rejects a JWT access token whose
    aud does not name it. TermAuth's /resource is issuer + "/resource"."""
    client = add_oidc_client(seeded, "jwt-aud-rs", access_token_format="jwt",
                             grants=["client_credentials"], resources=[API])
    r = token_request(server.base_url, client, grant_type="client_credentials",
                      scope="profile", resource=API)
    assert r.status_code == 200, r.text
    elsewhere = r.json()["access_token"]
    assert verify_access_jwt(server.base_url, elsewhere, audience=API)["aud"] == API
    r = token_request(server.base_url, client, grant_type="client_credentials", scope="profile")
    assert r.status_code == 200, r.text
    here = r.json()["access_token"]
    assert get_resource(server, here).status_code == 200  # the control: same client, own aud
    assert_bearer_error(get_resource(server, elsewhere), 401, "invalid_token")


def test_unregistered_resource_is_invalid_target(server, seeded):
    client = add_oidc_client(seeded, "jwt-target", access_token_format="jwt",
                             grants=["authorization_code", "client_credentials"],
                             resources=[API])
    # At /authorize the error goes back to the client (RFC 8707 §2, RFC 6749 §4.1.2.1).
    params, _, state = authorization_params(client, scope="openid",
                                            extra={"resource": OTHER_API})
    resp = authorize_immediate(server.base_url, params)
    assert resp.status_code == 302, f"{resp.status_code}: {resp.text[:300]}"
    got = location_params(resp)
    assert resp.headers["Location"].startswith(REDIRECT + "?"), resp.headers["Location"]
    assert got.get("error") == "invalid_target", got
    assert got.get("state") == state and got.get("iss") == issuer_of(server), got
    assert "code" not in got
    # At /token for client credentials.
    r = token_request(server.base_url, client, grant_type="client_credentials",
                      resource=OTHER_API)
    assert_oauth_error(r, 400, "invalid_target")
    # A client registered with no resource may name none.
    plain = add_oidc_client(seeded, "jwt-target-none", access_token_format="jwt",
                            grants=["client_credentials"])
    r = token_request(server.base_url, plain, grant_type="client_credentials", resource=API)
    assert_oauth_error(r, 400, "invalid_target")


def test_client_credentials_jwt_access_token(server, seeded):
    client = add_oidc_client(seeded, "jwt-cc", access_token_format="jwt",
                             grants=["client_credentials"], resources=[API])
    issuer = issuer_of(server)
    r = token_request(server.base_url, client, grant_type="client_credentials", scope="profile")
    assert r.status_code == 200, r.text
    token = r.json()["access_token"]
    claims = verify_access_jwt(server.base_url, token, audience=issuer + "/resource")
    # RFC 9068 §2.2: no person, so sub is the client's own id.
    assert claims["sub"] == client["client_id"] == claims["client_id"], claims
    assert claims["scope"] == "profile", claims
    assert "auth_time" not in claims, f"auth_time without anyone signing in: {claims}"

    r = token_request(server.base_url, client, grant_type="client_credentials", scope="profile",
                      resource=API)
    assert r.status_code == 200, r.text
    claims = verify_access_jwt(server.base_url, r.json()["access_token"], audience=API)
    assert claims["aud"] == API and claims["sub"] == client["client_id"], claims

    # Introspection and revocation take it as well.
    info = introspect(server.base_url, client, token)
    assert info.get("active") is True and info.get("client_id") == client["client_id"], info
    revoke(server, client, token)
    assert introspect(server.base_url, client, token) == {"active": False}


def test_id_token_is_not_an_access_token(server, seeded):
    person = add_person(seeded)
    client = add_oidc_client(seeded, "jwt-idt-bearer", access_token_format="jwt")
    got = authorize(server.base_url, seeded, client, person, scope="openid profile")
    tokens = redeem_ok(server.base_url, client, got)
    id_token = tokens["id_token"]
    # Our own typ check tells them apart (RFC 9068 §4), and so must TermAuth.
    with pytest.raises(AssertionError):
        verify_access_jwt(server.base_url, id_token, audience=client["client_id"])
    assert_bearer_error(userinfo_get(server.base_url, id_token), 401, "invalid_token")
    assert_bearer_error(get_resource(server, id_token), 401, "invalid_token")
    assert introspect(server.base_url, client, id_token).get("active") is False
    # A token whose signature does not match is refused everywhere too.
    head, body, sig = tokens["access_token"].split(".")
    claims = unverified_claims(tokens["access_token"])
    forged = f"{head}.{b64url(json.dumps(dict(claims, scope='openid profile email')).encode())}.{sig}"
    assert_bearer_error(get_resource(server, forged), 401, "invalid_token")
    assert introspect(server.base_url, client, forged).get("active") is False


def test_access_token_claims_are_all_present(server, seeded):
    """Every RFC 9068 §2.2 claim, for a person and for a client, through PyJWT's require."""
    person = add_person(seeded)
    client = add_oidc_client(seeded, "jwt-required", access_token_format="jwt",
                             grants=["password"])
    r = token_request(server.base_url, client, grant_type="password", username=person.username,
                      password=person.password, scope="profile")
    assert r.status_code == 200, r.text
    claims = verify_access_jwt(server.base_url, r.json()["access_token"],
                               audience=issuer_of(server) + "/resource")
    assert set(ACCESS_TOKEN_REQUIRED) <= set(claims)
    assert claims["sub"] == person.sub and isinstance(claims["auth_time"], int), claims
    assert "id_token" not in r.json(), "an ID token without openid"
