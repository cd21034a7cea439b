"""Signing-key rotation under use, seen from relying parties and resource servers.

These tests rotate and withdraw keys, so they run a `termauth serve` of their own
(one for the module, over its own database) rather than the session's server, whose
tokens other test files are verifying. `termauth keys ...` runs as a separate process
against the same database while the server keeps running: the server must pick the
change up by itself (it re-reads the keys every 2 s; the tests allow 5 s).
"""

from __future__ import annotations

import time

import pytest
import requests

from openid_helpers import (add_oidc_client, add_person, authorize, discovery,
                            fetch_jwks, introspect, published_kids, redeem_ok, token_request,
                            unverified_claims, unverified_header, verify_access_jwt,
                            verify_id_token)
from server_process import ServeProcess, private_termauth

PICKUP = 5.0  # seconds a running server may take to sign with a key the CLI made


@pytest.fixture(scope="module")
def keyserver(termauth, tmp_path_factory):
    directory = tmp_path_factory.mktemp("openid-keys")
    ta = private_termauth(termauth, directory)
    with ServeProcess(ta, directory / "serve.log") as srv:
        yield ta, srv


def keys_list(ta) -> list:
    out = ta.json("keys", "list", "--json")
    assert isinstance(out, list), out
    return out


def signing_kid(ta, alg: str) -> str:
    signing = [k["kid"] for k in keys_list(ta) if k["alg"] == alg and k["status"] == "signing"]
    assert len(signing) == 1, f"{len(signing)} signing {alg} keys: {keys_list(ta)}"
    return signing[0]


def wait_until(predicate, timeout: float, what: str, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    value = predicate()
    while not value and time.monotonic() < deadline:
        time.sleep(interval)
        value = predicate()
    assert value, f"{what}: not within {timeout:.0f} s"
    return value


class CachingRelyingParty:
    """A relying party as libraries build them: the JWKS is fetched once and kept; an
    ID token with a kid the cache does not know makes it fetch the JWKS again (once)."""

    def __init__(self, base_url: str, client: dict):
        self.base_url = base_url
        self.client = client
        self.jwks = fetch_jwks(base_url)
        self.fetches = 1

    def verify(self, tokens: dict, nonce: str | None = None) -> dict:
        kid = unverified_header(tokens["id_token"])["kid"]
        if kid not in {k["kid"] for k in self.jwks["keys"]}:
            self.jwks = fetch_jwks(self.base_url)
            self.fetches += 1
        return verify_id_token(self.base_url, tokens["id_token"], self.client["client_id"],
                               nonce=nonce, access_token=tokens["access_token"],
                               jwks=self.jwks)


def password_tokens(srv, client, person, scope="openid") -> dict:
    r = token_request(srv.base_url, client, grant_type="password", username=person.username,
                      password=person.password, scope=scope)
    assert r.status_code == 200, r.text
    return r.json()


def cc_token(srv, client) -> str:
    r = token_request(srv.base_url, client, grant_type="client_credentials", scope="profile")
    assert r.status_code == 200, r.text
    return r.json()["access_token"]


# --------------------------------------------------------------------------


def test_keys_list_json_shape(keyserver):
    ta, srv = keyserver
    keys = keys_list(ta)
    assert keys, "no signing keys after first use"
    for key in keys:
        assert isinstance(key.get("kid"), str) and key["kid"], key
        assert key.get("alg") in ("RS256", "ES256"), key
        assert key.get("status") in ("signing", "retired"), key
        assert type(key.get("created_at")) is int, key
        if key["status"] == "signing":
            assert key.get("retired_at") is None and key.get("publish_until") is None, key
        else:
            assert type(key.get("retired_at")) is int and type(key.get("publish_until")) is int
            assert key["created_at"] <= key["retired_at"] < key["publish_until"], key
    for alg in ("RS256", "ES256"):
        signing_kid(ta, alg)  # exactly one each
    assert len({k["kid"] for k in keys}) == len(keys)
    # What the CLI lists is what the server publishes, and the other way round (allowing
    # the server its re-read interval, should an earlier change still be on its way).
    wait_until(lambda: published_kids(srv.base_url) == {k["kid"] for k in keys}, PICKUP,
               f"/jwks.json publishing exactly the listed keys {keys}")
    jwks = fetch_jwks(srv.base_url)
    algs = {k["kid"]: k["alg"] for k in keys}
    assert all(algs[k["kid"]] == k["alg"] for k in jwks["keys"]), (keys, jwks)

    # The human-readable listing names the same keys.
    text = ta.run("keys", "list").stdout
    assert all(k["kid"] in text for k in keys), text

    # Mistakes are refused, not ignored.
    unknown = ta.run("keys", "retire", "no-such-kid", check=False)
    assert unknown.returncode == 1, (unknown.returncode, unknown.stdout, unknown.stderr)
    bad_alg = ta.run("keys", "rotate", "--alg", "HS256", check=False)
    assert bad_alg.returncode == 2, (bad_alg.returncode, bad_alg.stdout, bad_alg.stderr)
    assert keys_list(ta) == keys


def test_cached_jwks_relying_party_keeps_signing_people_in_across_rotation(keyserver):
    ta, srv = keyserver
    person = add_person(ta)
    client = add_oidc_client(ta, "keys-rp")
    rp = CachingRelyingParty(srv.base_url, client)

    def sign_in(nonce: str) -> dict:
        got = authorize(srv.base_url, ta, client, person, scope="openid", nonce=nonce)
        return redeem_ok(srv.base_url, client, got)

    before = sign_in("before")
    rp.verify(before, nonce="before")
    old_kid = unverified_header(before["id_token"])["kid"]
    assert old_kid == signing_kid(ta, "RS256")
    assert rp.fetches == 1

    ta.run("keys", "rotate")
    rotated_at = time.monotonic()
    new_kid = signing_kid(ta, "RS256")
    assert new_kid != old_kid

    # People keep signing in; every ID token verifies with the RP's cache or one refetch.
    seen = []
    while True:
        tokens = sign_in(f"during-{len(seen)}")
        claims = rp.verify(tokens, nonce=f"during-{len(seen)}")
        assert claims["sub"] == person.sub
        kid = unverified_header(tokens["id_token"])["kid"]
        seen.append(kid)
        if kid == new_kid:
            break
        assert kid == old_kid, f"signed by {kid}, neither the old nor the new key"
        assert time.monotonic() - rotated_at < PICKUP, (
            f"still signing with {old_kid} {PICKUP:.0f} s after `keys rotate`")
    assert rp.fetches == 2, f"the RP fetched the JWKS {rp.fetches} times"

    # A token signed before the rotation still verifies against today's /jwks.json...
    still = verify_id_token(srv.base_url, before["id_token"], client["client_id"],
                            nonce="before", access_token=before["access_token"])
    # ...because the old key stays published until such tokens have expired.
    entry = next(k for k in keys_list(ta) if k["kid"] == old_kid)
    assert entry["status"] == "retired", entry
    assert entry["publish_until"] >= still["exp"], (entry, still)
    assert old_kid in published_kids(srv.base_url)


def test_new_kid_signs_within_5_seconds_without_restart(keyserver):
    ta, srv = keyserver
    person = add_person(ta)
    client = add_oidc_client(ta, "keys-es256", id_token_alg="ES256",
                             access_token_format="jwt",
                             grants=["client_credentials", "password"])
    issuer = discovery(srv.base_url)["issuer"]
    pid = srv.process.pid
    old_es = unverified_header(cc_token(srv, client))["kid"]
    rs_before = signing_kid(ta, "RS256")

    rotated = ta.run("keys", "rotate", "--alg", "ES256")
    rotated_at = time.monotonic()
    new_es = signing_kid(ta, "ES256")
    assert new_es != old_es and new_es in rotated.stdout, rotated.stdout

    token = wait_until(lambda: (lambda t: t if unverified_header(t)["kid"] == new_es else None)(
        cc_token(srv, client)), PICKUP, f"access tokens signed by {new_es}")
    elapsed = time.monotonic() - rotated_at
    assert elapsed < PICKUP, elapsed
    assert srv.process.pid == pid and srv.process.poll() is None, "the server restarted"
    verify_access_jwt(srv.base_url, token, audience=issuer + "/resource")
    # ID tokens of an ES256 client move to the new key as well.
    tokens = password_tokens(srv, client, person)
    assert unverified_header(tokens["id_token"])["kid"] == new_es
    verify_id_token(srv.base_url, tokens["id_token"], client["client_id"], alg="ES256",
                    access_token=tokens["access_token"])
    # Only ES256 was rotated.
    assert signing_kid(ta, "RS256") == rs_before
    assert {old_es, new_es, rs_before} <= published_kids(srv.base_url)


def test_retire_withdraws_a_key_at_once(keyserver):
    ta, srv = keyserver
    person = add_person(ta)
    client = add_oidc_client(ta, "keys-retire", id_token_alg="ES256",
                             access_token_format="jwt",
                             grants=["client_credentials", "password"])
    issuer = discovery(srv.base_url)["issuer"]
    old_tokens = password_tokens(srv, client, person, scope="openid profile")
    old_kid = unverified_header(old_tokens["access_token"])["kid"]
    assert unverified_header(old_tokens["id_token"])["kid"] == old_kid
    assert old_kid == signing_kid(ta, "ES256")

    ta.run("keys", "rotate", "--alg", "ES256")
    new_kid = signing_kid(ta, "ES256")
    wait_until(lambda: unverified_header(cc_token(srv, client))["kid"] == new_kid, PICKUP,
               f"tokens signed by {new_kid}")
    new_token = cc_token(srv, client)
    # Rotated, not withdrawn: the old token still verifies and still works.
    verify_access_jwt(srv.base_url, old_tokens["access_token"], audience=issuer + "/resource")
    assert introspect(srv.base_url, client, old_tokens["access_token"]).get("active") is True

    withdrawn = ta.run("keys", "retire", old_kid)
    assert old_kid in withdrawn.stdout + withdrawn.stderr
    assert old_kid not in {k["kid"] for k in keys_list(ta)}
    wait_until(lambda: old_kid not in published_kids(srv.base_url), PICKUP,
               f"{old_kid} gone from /jwks.json")

    # Nothing it signed verifies any more: not for a relying party...
    with pytest.raises(AssertionError, match="published 0 times"):
        verify_id_token(srv.base_url, old_tokens["id_token"], client["client_id"], alg="ES256",
                        access_token=old_tokens["access_token"])
    with pytest.raises(AssertionError, match="published 0 times"):
        verify_access_jwt(srv.base_url, old_tokens["access_token"],
                          audience=issuer + "/resource")
    # ...and not for TermAuth's own endpoints.
    assert introspect(srv.base_url, client, old_tokens["access_token"]) == {"active": False}
    r = requests.get(srv.url("/resource"), timeout=10,
                     headers={"Authorization": f"Bearer {old_tokens['access_token']}"})
    assert r.status_code == 401, r.text
    r = requests.get(srv.url("/userinfo"), timeout=10,
                     headers={"Authorization": f"Bearer {old_tokens['access_token']}"})
    assert r.status_code == 401, r.text
    # The new key is untouched.
    verify_access_jwt(srv.base_url, new_token, audience=issuer + "/resource")
    assert introspect(srv.base_url, client, new_token).get("active") is True


def test_retiring_the_signing_key_stops_it_signing(keyserver):
    ta, srv = keyserver
    person = add_person(ta)
    client = add_oidc_client(ta, "keys-leak", grants=["password"])
    leaked = unverified_header(password_tokens(srv, client, person)["id_token"])["kid"]
    assert leaked == signing_kid(ta, "RS256")

    ta.run("keys", "retire", leaked)
    tokens = wait_until(
        lambda: (lambda t: t if unverified_header(t["id_token"])["kid"] != leaked else None)(
            password_tokens(srv, client, person)),
        PICKUP, f"ID tokens no longer signed by the withdrawn {leaked}")
    replacement = unverified_header(tokens["id_token"])["kid"]
    assert replacement == signing_kid(ta, "RS256") != leaked
    wait_until(lambda: leaked not in published_kids(srv.base_url), PICKUP,
               f"{leaked} gone from /jwks.json")
    claims = verify_id_token(srv.base_url, tokens["id_token"], client["client_id"],
                             access_token=tokens["access_token"])
    assert claims["sub"] == person.sub
    assert unverified_claims(tokens["id_token"])["iss"] == discovery(srv.base_url)["issuer"]
