"""The OpenID Foundation's Basic OP conformance plan (response_type=code), as TermAuth's
own tests: one test per module the plan runs, named after it (oidcc-...).

The plan's browser steps are a `requests` user agent waiting on /authorize plus a
headless `termauth approve` by a fresh person; every ID token is judged by PyJWT with
zero leeway (openid_helpers.verify_id_token). TermAuth keeps no browser session, so
every approval is a fresh sign-in: prompt=login and max_age are met by design and the
tests check that auth_time says so.
"""

from __future__ import annotations

import time

import requests

from conftest import unique
from openid_helpers import (REDIRECT, add_oidc_client, add_person, assert_bearer_error,
                            assert_oauth_error, authorization_params, authorize,
                            authorize_immediate, discovery, introspect, location_params, redeem,
                            redeem_ok, refresh_ok, token_request, userinfo_get, userinfo_post_body,
                            userinfo_post_header, verify_id_token)


def issuer_of(server) -> str:
    return discovery(server.base_url)["issuer"]


def sign_in(server, ta, scope="openid", nonce="nonce-" + "x" * 8, person=None, client=None,
            **kw):
    """A fresh person and client, one approved code flow, the code redeemed and the ID
    token verified. Returns (person, client, authorized, tokens, id_claims)."""
    person = person or add_person(ta, email=f"{unique('p')}@example.org",
                                  display_name="Basic Plan")
    client = client or add_oidc_client(ta, "basic")
    got = authorize(server.base_url, ta, client, person, scope=scope, nonce=nonce, **kw)
    assert got.params.get("state") == got.state, got.location
    assert got.params.get("iss") == issuer_of(server), got.location
    tokens = redeem_ok(server.base_url, client, got)
    claims = verify_id_token(server.base_url, tokens["id_token"], client["client_id"],
                             nonce=nonce, access_token=tokens["access_token"])
    assert claims["sub"] == person.sub
    return person, client, got, tokens, claims


def immediate_error(server, client, extra, scope="openid") -> tuple[dict, str]:
    """An authentication request answered at once with an error redirect."""
    params, _, state = authorization_params(client, scope=scope, nonce="n", extra=extra)
    resp = authorize_immediate(server.base_url, params)
    assert resp.status_code in (302, 303), (
        f"{extra}: /authorize answered {resp.status_code}: {resp.text[:300]}")
    location = resp.headers["Location"]
    assert location.startswith(REDIRECT + "?"), location
    got = location_params(resp)
    assert got.get("state") == state, got
    assert got.get("iss") == issuer_of(server), got
    assert "code" not in got, got
    return got, location


# --------------------------------------------------------------------------
# oidcc-server, nonce


def test_oidcc_server_nonce_is_kept(server, seeded):
    # Passed through unmodified (Core §3.1.2.1), whatever characters it has.
    nonce = "n-" + unique("nonce") + " ñ+/=&;%20<>\"'" + "z" * 200
    _, _, _, _, claims = sign_in(server, seeded, nonce=nonce)
    assert claims["nonce"] == nonce


def test_oidcc_ensure_request_without_nonce_succeeds_for_code_flow(server, seeded):
    _, _, _, tokens, claims = sign_in(server, seeded, nonce=None)
    assert "nonce" not in claims, claims  # verify_id_token checks this as well


# --------------------------------------------------------------------------
# prompt and max_age


def test_oidcc_prompt_none_not_logged_in(server, seeded):
    client = add_oidc_client(seeded, "basic-prompt-none")
    got, _ = immediate_error(server, client, {"prompt": "none"})
    assert got.get("error") == "login_required", got
    # Nothing was parked for a person to approve.
    assert not [r for r in seeded.list_requests() if r.get("client_id") == client["client_id"]]


def test_prompt_none_with_another_value_is_invalid_request(server, seeded):
    client = add_oidc_client(seeded, "basic-prompt-mixed")
    got, _ = immediate_error(server, client, {"prompt": "none login"})
    assert got.get("error") == "invalid_request", got


def test_oidcc_prompt_login(server, seeded):
    requested = int(time.time())
    _, _, _, _, claims = sign_in(server, seeded, extra={"prompt": "login"})
    assert claims["auth_time"] >= requested, (requested, claims)


def test_oidcc_max_age_1(server, seeded):
    person, client, _, _, first = sign_in(server, seeded)
    time.sleep(2)
    requested = int(time.time())
    _, _, _, _, second = sign_in(server, seeded, person=person, client=client,
                                 extra={"max_age": "1"})
    # max_age=1 after 2 s: the person had to sign in again (Core §3.1.2.1), auth_time is required.
    assert second["auth_time"] >= requested > first["auth_time"], (first, second)
    assert second["iat"] - second["auth_time"] <= 1 + 1, second


def test_oidcc_max_age_0(server, seeded):
    requested = int(time.time())
    _, _, _, _, claims = sign_in(server, seeded, extra={"max_age": "0"})
    assert claims["auth_time"] >= requested, (requested, claims)


def test_max_age_must_be_a_non_negative_integer(server, seeded):
    client = add_oidc_client(seeded, "basic-max-age")
    for bad in ("-1", "ten", "1.5"):
        got, _ = immediate_error(server, client, {"max_age": bad})
        assert got.get("error") == "invalid_request", (bad, got)


# --------------------------------------------------------------------------
# codes and redirect URIs


def test_oidcc_codereuse_30seconds(server, seeded):
    """The code redeemed once, then again at once (well within 30 s): the second time is
    invalid_grant, and what the first redemption issued is revoked (RFC 6749 §4.1.2)."""
    person = add_person(seeded)
    client = add_oidc_client(seeded, "basic-codereuse")
    got = authorize(server.base_url, seeded, client, person, scope="openid offline_access",
                    nonce="n")
    tokens = redeem_ok(server.base_url, client, got)
    assert tokens.get("refresh_token"), tokens
    assert introspect(server.base_url, client, tokens["access_token"]).get("active") is True
    assert userinfo_get(server.base_url, tokens["access_token"]).status_code == 200
    # The client refreshed once meanwhile; those tokens come from the same code.
    later = refresh_ok(server.base_url, client, tokens["refresh_token"])

    again = redeem(server.base_url, client, got)
    assert_oauth_error(again, 400, "invalid_grant")
    assert "id_token" not in again.text
    for token in (tokens["access_token"], later["access_token"], later["refresh_token"]):
        assert introspect(server.base_url, client, token) == {"active": False}
    assert_bearer_error(userinfo_get(server.base_url, tokens["access_token"]), 401,
                        "invalid_token")
    r = token_request(server.base_url, client, grant_type="refresh_token",
                      refresh_token=later["refresh_token"])
    assert_oauth_error(r, 400, "invalid_grant")


def test_oidcc_ensure_registered_redirect_uri(server, seeded):
    client = add_oidc_client(seeded, "basic-redirect")
    evil = "https://evil.example/callback"
    for method in ("GET", "POST"):
        params, _, _ = authorization_params(client, scope="openid", nonce="n",
                                            redirect_uri=evil)
        resp = authorize_immediate(server.base_url, params, method)
        # Core §3.1.2.1 / RFC 6749 §4.1.2.1: tell the person, never redirect.
        assert resp.status_code == 400, f"{method}: {resp.status_code} {resp.text[:300]}"
        assert "Location" not in resp.headers, resp.headers
        assert "evil.example" not in resp.headers.get("Refresh", "")
    assert not [r for r in seeded.list_requests() if r.get("client_id") == client["client_id"]]


def test_oidcc_ensure_request_with_unknown_parameter_succeeds(server, seeded):
    _, _, got, _, _ = sign_in(server, seeded, extra={
        "extra_param": "foo", "display": "page", "ui_locales": "se", "claims_locales": "se",
        "acr_values": "1 2", "login_hint": "someone", "x-custom": "ignored"})
    assert "error" not in got.params, got.location


def test_oidcc_ensure_post_request_succeeds(server, seeded):
    _, _, got, _, claims = sign_in(server, seeded, method="POST", nonce="post-nonce")
    assert claims["nonce"] == "post-nonce"


# --------------------------------------------------------------------------
# UserInfo


def test_oidcc_userinfo_get(server, seeded):
    person, _, _, tokens, claims = sign_in(server, seeded, scope="openid profile")
    resp = userinfo_get(server.base_url, tokens["access_token"])
    assert resp.status_code == 200, resp.text
    assert resp.headers.get("Content-Type", "").startswith("application/json")
    assert resp.json()["sub"] == claims["sub"] == person.sub


def test_oidcc_userinfo_post_header(server, seeded):
    person, _, _, tokens, claims = sign_in(server, seeded, scope="openid profile")
    resp = userinfo_post_header(server.base_url, tokens["access_token"])
    assert resp.status_code == 200, resp.text
    assert resp.json()["sub"] == claims["sub"] == person.sub


def test_oidcc_userinfo_post_body(server, seeded):
    person, _, _, tokens, claims = sign_in(server, seeded, scope="openid profile")
    resp = userinfo_post_body(server.base_url, tokens["access_token"])
    assert resp.status_code == 200, resp.text
    assert resp.json()["sub"] == claims["sub"] == person.sub


def test_userinfo_errors(server, seeded):
    # No token, a wrong token: 401 with a Bearer challenge (RFC 6750 §3).
    resp = requests.get(server.url("/userinfo"), timeout=10)
    assert resp.status_code == 401 and resp.headers.get(
        "WWW-Authenticate", "").lower().startswith("bearer"), resp.headers
    assert_bearer_error(userinfo_get(server.base_url, "not-a-token"), 401, "invalid_token")
    # A token without openid is not for UserInfo (RFC 6750 §3.1).
    person = add_person(seeded)
    client = add_oidc_client(seeded, "basic-no-openid")
    got = authorize(server.base_url, seeded, client, person, scope="profile")
    tokens = redeem_ok(server.base_url, client, got)
    assert "id_token" not in tokens, tokens
    assert_bearer_error(userinfo_get(server.base_url, tokens["access_token"]), 403,
                        "insufficient_scope")
    # The token in the header and in the body at once (RFC 6750 §2, §3.1).
    _, _, _, tokens, _ = sign_in(server, seeded, person=person, client=client)
    both = requests.post(server.url("/userinfo"), data={"access_token": tokens["access_token"]},
                         headers={"Authorization": f"Bearer {tokens['access_token']}"},
                         timeout=10)
    assert_bearer_error(both, 400, "invalid_request")


# --------------------------------------------------------------------------
# scopes


def test_oidcc_scope_profile(server, seeded):
    person = add_person(seeded, display_name="Profile Person",
                        email=f"{unique('prof')}@example.org", email_verified=True)
    _, _, _, tokens, _ = sign_in(server, seeded, scope="openid profile", person=person)
    assert set(tokens["scope"].split()) == {"openid", "profile"}, tokens
    info = userinfo_get(server.base_url, tokens["access_token"]).json()
    assert info["sub"] == person.sub
    assert info["name"] == "Profile Person"
    assert info["preferred_username"] == person.username
    assert type(info["updated_at"]) is int and 0 < info["updated_at"] <= time.time() + 1, info
    # email was not granted, so its claims are not released.
    assert "email" not in info and "email_verified" not in info, info
    assert None not in info.values(), info


def test_oidcc_scope_email(server, seeded):
    person = add_person(seeded, email=f"{unique('mail')}@example.org", email_verified=True)
    _, _, _, tokens, _ = sign_in(server, seeded, scope="openid email", person=person)
    info = userinfo_get(server.base_url, tokens["access_token"]).json()
    assert info == {"sub": person.sub, "email": person.email, "email_verified": True}, info

    # A changed address is unverified until someone says otherwise; UserInfo follows.
    changed = f"{unique('new')}@example.org"
    seeded.run("user", "set", person.username, "--email", changed)
    info = userinfo_get(server.base_url, tokens["access_token"]).json()
    assert info.get("email") == changed and info.get("email_verified") is False, info

    # No address at all: the claims are left out, never null.
    nobody = add_person(seeded)
    _, _, _, tokens, _ = sign_in(server, seeded, scope="openid email", person=nobody)
    info = userinfo_get(server.base_url, tokens["access_token"]).json()
    assert info == {"sub": nobody.sub}, info


def test_oidcc_scope_offline_access(server, seeded):
    """With openid, a refresh token only when offline_access is granted (Core §11)."""
    person = add_person(seeded)
    client = add_oidc_client(seeded, "basic-offline")
    _, _, _, with_offline, _ = sign_in(server, seeded, scope="openid offline_access",
                                       person=person, client=client)
    assert with_offline.get("refresh_token"), with_offline
    assert "offline_access" in with_offline["scope"].split()

    _, _, _, without, _ = sign_in(server, seeded, scope="openid", person=person, client=client)
    assert "refresh_token" not in without, without

    # Asked for, but the person did not grant it.
    _, _, _, declined, _ = sign_in(server, seeded, scope="openid offline_access", person=person,
                                   client=client, approve_args=("--scope", "openid"))
    assert "offline_access" not in declined["scope"].split(), declined
    assert "refresh_token" not in declined, declined


def test_oidcc_refresh_token(server, seeded):
    person, client, got, tokens, before = sign_in(server, seeded,
                                                  scope="openid offline_access profile",
                                                  nonce="refresh-nonce")
    time.sleep(1.1)
    refreshed = refresh_ok(server.base_url, client, tokens["refresh_token"])
    assert refreshed.get("id_token"), refreshed
    after = verify_id_token(server.base_url, refreshed["id_token"], client["client_id"],
                            nonce=None, access_token=refreshed["access_token"])
    # Core §12.2
    assert after["iss"] == before["iss"]
    assert after["sub"] == before["sub"] == person.sub
    assert after["aud"] == before["aud"]
    assert after["auth_time"] == before["auth_time"]
    assert after["iat"] > before["iat"]
    assert "nonce" not in after
    info = userinfo_get(server.base_url, refreshed["access_token"])
    assert info.status_code == 200 and info.json()["sub"] == person.sub


# --------------------------------------------------------------------------
# request objects


def test_oidcc_unsigned_request_object_rejected_as_unsupported(server, seeded):
    client = add_oidc_client(seeded, "basic-request")
    unsigned = "eyJhbGciOiJub25lIn0.eyJub25jZSI6Im4ifQ."
    got, _ = immediate_error(server, client, {"request": unsigned})
    assert got.get("error") == "request_not_supported", got


def test_oidcc_request_uri_rejected_as_unsupported(server, seeded):
    client = add_oidc_client(seeded, "basic-request-uri")
    got, _ = immediate_error(server, client, {"request_uri": "https://rp.example/request.jwt"})
    assert got.get("error") == "request_uri_not_supported", got
