"""OpenID Connect with Authlib as the relying party.

Authlib's OAuth2Session builds the authentication request (PKCE S256, nonce), a
`requests` user agent waits on /authorize and follows the 302 to a loopback listener,
the person approves with `termauth approve`, and Authlib redeems the code and refreshes.
Every ID token is then judged the way Authlib's own OpenID client judges it
(joserfc signature check against /jwks.json, then `CodeIDToken.validate`, which checks
iss, aud, exp, iat, nonce, at_hash and auth_time), with no leeway.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import pytest
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from authlib.oidc.core import CodeIDToken, UserInfo
from joserfc import jwt as jose_jwt
from joserfc.errors import BadSignatureError, InvalidClaimError, UnsupportedAlgorithmError
from joserfc.jwk import KeySet

from conftest import BackgroundGet, Loopback, unique
from openid_helpers import (Person, add_oidc_client, add_person, discovery, fetch_jwks, half_hash,
                            unverified_header)

# RFC 8252 §7.3: the loopback port is chosen at run time, the registration has none.
LOOPBACK_REDIRECT = "http://127.0.0.1/callback"


# --------------------------------------------------------------------------
# the relying party


def authlib_id_token(base_url: str, id_token: str, client_id: str, *, alg: str,
                     nonce: str | None, access_token: str | None,
                     max_age: int | None = None) -> CodeIDToken:
    """What Authlib's OpenIDMixin.parse_id_token does, without its 120 s leeway and with
    the algorithm pinned: joserfc verifies the signature with the published keys, then
    CodeIDToken validates the claims."""
    metadata = discovery(base_url)
    keys = KeySet.import_key_set(fetch_jwks(base_url))
    token = jose_jwt.decode(id_token, keys, algorithms=[alg])
    options = {
        "iss": {"essential": True, "value": metadata["issuer"]},
        "aud": {"essential": True, "value": client_id},
        "sub": {"essential": True},
        "exp": {"essential": True},
        "iat": {"essential": True},
        "auth_time": {"essential": True},
    }
    params = {"client_id": client_id}
    if nonce is not None:
        params["nonce"] = nonce
    if access_token is not None:
        params["access_token"] = access_token
    if max_age is not None:
        params["max_age"] = max_age
    claims = CodeIDToken(token.claims, token.header, options, params)
    claims.validate(leeway=0)
    return claims


@dataclass
class SignIn:
    session: OAuth2Session
    token: dict
    nonce: str
    started: int
    callback: dict


def session_for(base_url: str, client: dict, loopback: Loopback, scope: str) -> OAuth2Session:
    metadata = discovery(base_url)
    kw = {}
    if client.get("client_secret"):
        kw["client_secret"] = client["client_secret"]
    else:
        kw["token_endpoint_auth_method"] = "none"
    return OAuth2Session(client["client_id"], scope=scope, redirect_uri=loopback.redirect_uri,
                         code_challenge_method="S256",
                         token_endpoint=metadata["token_endpoint"], **kw)


def sign_in(base_url: str, ta, client: dict, person: Person, scope: str) -> SignIn:
    """The whole front and back channel with Authlib."""
    metadata = discovery(base_url)
    with Loopback("/callback") as loopback:
        session = session_for(base_url, client, loopback, scope)
        verifier = generate_token(48)
        nonce = generate_token(20)
        url, state = session.create_authorization_url(
            metadata["authorization_endpoint"], code_verifier=verifier, nonce=nonce)
        started = int(time.time())
        agent = BackgroundGet(url).start()
        entry = ta.wait_for_request(client["client_id"], stop_if=agent.early_answer)
        assert set(entry["scope"].split()) == set(scope.split()), entry
        ta.approve(entry["approval_code"], user=person.username, password=person.password)
        answer = agent.join()
        assert answer.history and answer.history[0].status_code == 302, (
            f"/authorize did not redirect: HTTP {answer.status_code} {answer.text[:300]}")
        callback = loopback.wait()
        # RFC 9207: the authorization response names its issuer.
        assert callback.get("iss") == metadata["issuer"], callback
        assert callback.get("state") == state and callback.get("code"), callback
        token = session.fetch_token(metadata["token_endpoint"],
                                    authorization_response=loopback.raw_url,
                                    state=state, code_verifier=verifier)
    return SignIn(session, token, nonce, started, callback)


# --------------------------------------------------------------------------
# tests


def test_code_flow_with_pkce_and_nonce(server, seeded):
    base = server.base_url
    person = add_person(seeded, email=f"{unique('ada')}@example.org", email_verified=True,
                        display_name="Ada Lovelace")
    client = add_oidc_client(seeded, "authlib-rp", redirect_uris=[LOOPBACK_REDIRECT])
    got = sign_in(base, seeded, client, person, "openid profile email")

    token = got.token
    assert token["token_type"].lower() == "bearer", token
    assert set(token["scope"].split()) == {"openid", "profile", "email"}, token
    assert "refresh_token" not in token, (
        "a refresh token came with openid but without offline_access: " f"{token}")
    assert token.get("id_token"), f"no id_token for scope openid: {token}"

    claims = authlib_id_token(base, token["id_token"], client["client_id"], alg="RS256",
                              nonce=got.nonce, access_token=token["access_token"])
    assert unverified_header(token["id_token"])["alg"] == "RS256"
    assert claims["sub"] == person.sub and claims["sub"] != person.username, claims
    assert claims["nonce"] == got.nonce
    assert claims["at_hash"] == half_hash(token["access_token"])
    assert got.started <= claims["auth_time"] <= claims["iat"] <= int(time.time()), claims
    assert claims["amr"] == ["pwd"], claims

    # The judge really judges: a wrong nonce or another access token is refused.
    with pytest.raises(InvalidClaimError):
        authlib_id_token(base, token["id_token"], client["client_id"], alg="RS256",
                         nonce="not-" + got.nonce, access_token=token["access_token"])
    with pytest.raises(InvalidClaimError):
        authlib_id_token(base, token["id_token"], client["client_id"], alg="RS256",
                         nonce=got.nonce, access_token=token["access_token"] + "x")

    # UserInfo through the same Authlib session (Bearer header), as Authlib's userinfo().
    resp = got.session.get(discovery(base)["userinfo_endpoint"], timeout=30)
    assert resp.status_code == 200, resp.text
    info = UserInfo(resp.json())
    assert info["sub"] == claims["sub"]
    assert info["name"] == "Ada Lovelace"
    assert info["preferred_username"] == person.username
    assert info["email"] == person.email and info["email_verified"] is True, dict(info)


def test_refresh_with_offline_access_returns_id_token(server, seeded):
    base = server.base_url
    person = add_person(seeded)
    client = add_oidc_client(seeded, "authlib-offline", redirect_uris=[LOOPBACK_REDIRECT])
    got = sign_in(base, seeded, client, person, "openid offline_access")
    first = got.token
    assert first.get("refresh_token"), f"openid + offline_access gave no refresh token: {first}"
    before = authlib_id_token(base, first["id_token"], client["client_id"], alg="RS256",
                              nonce=got.nonce, access_token=first["access_token"])

    time.sleep(1.1)  # so a fresh iat is visible in whole seconds
    refreshed = got.session.refresh_token(got.session.metadata["token_endpoint"],
                                          refresh_token=first["refresh_token"])
    assert refreshed["access_token"] != first["access_token"]
    assert refreshed.get("id_token"), f"refresh with openid gave no ID token: {refreshed}"
    after = authlib_id_token(base, refreshed["id_token"], client["client_id"], alg="RS256",
                             nonce=None, access_token=refreshed["access_token"])
    # OpenID Connect Core §12.2
    assert after["iss"] == before["iss"]
    assert after["sub"] == before["sub"] == person.sub
    assert after["aud"] == before["aud"]
    assert after["auth_time"] == before["auth_time"], (before, after)
    assert after["iat"] > before["iat"], (before, after)
    assert "nonce" not in after, f"a refreshed ID token carries a nonce: {dict(after)}"


def test_es256_client(server, seeded):
    base = server.base_url
    person = add_person(seeded)
    client = add_oidc_client(seeded, "authlib-es256", redirect_uris=[LOOPBACK_REDIRECT],
                             id_token_alg="ES256")
    got = sign_in(base, seeded, client, person, "openid offline_access")
    token = got.token
    header = unverified_header(token["id_token"])
    assert header["alg"] == "ES256", header
    jwk = [k for k in fetch_jwks(base)["keys"] if k["kid"] == header["kid"]]
    assert jwk and jwk[0]["kty"] == "EC" and jwk[0]["crv"] == "P-256", jwk
    claims = authlib_id_token(base, token["id_token"], client["client_id"], alg="ES256",
                              nonce=got.nonce, access_token=token["access_token"])
    assert claims["sub"] == person.sub

    # A client pinned to ES256 would refuse the token if it were RS256 and vice versa.
    with pytest.raises((UnsupportedAlgorithmError, BadSignatureError, ValueError)):
        authlib_id_token(base, token["id_token"], client["client_id"], alg="RS256",
                         nonce=got.nonce, access_token=token["access_token"])

    refreshed = got.session.refresh_token(got.session.metadata["token_endpoint"],
                                          refresh_token=token["refresh_token"])
    assert unverified_header(refreshed["id_token"])["alg"] == "ES256"
    again = authlib_id_token(base, refreshed["id_token"], client["client_id"], alg="ES256",
                             nonce=None, access_token=refreshed["access_token"])
    assert again["sub"] == claims["sub"] and again["auth_time"] == claims["auth_time"]


def test_public_client_with_pkce(server, seeded):
    base = server.base_url
    person = add_person(seeded)
    client = add_oidc_client(seeded, "authlib-public", redirect_uris=[LOOPBACK_REDIRECT],
                             public=True)
    assert "client_secret" not in client
    got = sign_in(base, seeded, client, person, "openid")
    claims = authlib_id_token(base, got.token["id_token"], client["client_id"], alg="RS256",
                              nonce=got.nonce, access_token=got.token["access_token"])
    assert claims["sub"] == person.sub
    assert claims.get("azp", client["client_id"]) == client["client_id"]
