"""Shared pieces of the OpenID Connect end-to-end tests (test_openid_*.py).

Everything here is an outside client's view of TermAuth: the `termauth` command line
for setup and headless approval, and HTTP for everything else. The checks of tokens
use independent libraries (PyJWT, Authlib/joserfc, `cryptography`), never anything
from the server.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt as pyjwt
import requests

from conftest import BackgroundGet, TermAuth, unique

# Fine as a registered redirect URI: the tests read the 302's Location and never follow it.
REDIRECT = "http://127.0.0.1/openid-callback"

OPENID_SCOPES = ("openid", "profile", "email", "offline_access")

# Every claim PyJWT must see in an ID token (OpenID Connect Core §2); auth_time too,
# because every TermAuth ID token comes from a person who signed in.
ID_TOKEN_REQUIRED = ["iss", "sub", "aud", "exp", "iat", "auth_time"]
# RFC 9068 §2.2: iss, exp, aud, sub, client_id, iat, jti.
ACCESS_TOKEN_REQUIRED = ["iss", "exp", "aud", "sub", "client_id", "iat", "jti"]


# --------------------------------------------------------------------------
# setup through the command line


@dataclass
class Person:
    username: str
    password: str
    sub: str
    email: str | None = None
    email_verified: bool = False
    display_name: str | None = None


def add_person(ta: TermAuth, prefix: str = "oidc-user", email: str | None = None,
               email_verified: bool = False, display_name: str | None = None) -> Person:
    """A fresh user; returns its `sub` as `user list --json` reports it."""
    username = unique(prefix)
    password = "pw-" + secrets.token_urlsafe(12)
    args = ["user", "add", username, "--password-stdin"]
    if display_name:
        args += ["--display-name", display_name]
    if email:
        args += ["--email", email]
    if email_verified:
        args.append("--email-verified")
    ta.run(*args, input=password + "\n")
    return Person(username, password, user_sub(ta, username), email, email_verified, display_name)


def user_entry(ta: TermAuth, username: str) -> dict:
    users = ta.json("user", "list", "--json")
    for entry in users:
        if entry.get("username") == username:
            return entry
    raise AssertionError(f"user {username} not in `user list --json`: {users!r}")


def user_sub(ta: TermAuth, username: str) -> str:
    entry = user_entry(ta, username)
    sub = entry.get("sub")
    assert isinstance(sub, str) and sub, f"`user list --json` has no sub for {username}: {entry}"
    return sub


def add_oidc_client(ta: TermAuth, prefix: str = "oidc-rp", *, redirect_uris=(REDIRECT,),
                    grants=(), scopes=OPENID_SCOPES, public: bool = False,
                    id_token_alg: str | None = None, access_token_format: str | None = None,
                    resources=(), introspect: bool | None = None) -> dict:
    """`termauth client add` with the OpenID options; returns its --json output
    plus `name`."""
    name = unique(prefix)
    out = ta.add_client(name, redirect_uris=redirect_uris, grants=grants, scopes=scopes, public=public,
                        introspect=introspect, id_token_alg=id_token_alg,
                        access_token_format=access_token_format, resources=resources)
    out["name"] = name
    return out


def client_auth(client: dict) -> tuple | None:
    return (client["client_id"], client["client_secret"]) if client.get("client_secret") else None


# --------------------------------------------------------------------------
# discovery and keys


def discovery(base_url: str) -> dict:
    r = requests.get(base_url + "/.well-known/openid-configuration", timeout=10)
    assert r.status_code == 200, f"discovery answered {r.status_code}: {r.text[:300]}"
    return r.json()


def fetch_jwks(base_url: str) -> dict:
    r = requests.get(base_url + "/jwks.json", timeout=10)
    assert r.status_code == 200, f"/jwks.json answered {r.status_code}: {r.text[:300]}"
    body = r.json()
    assert isinstance(body.get("keys"), list), body
    return body


def published_kids(base_url: str) -> set[str]:
    return {k.get("kid") for k in fetch_jwks(base_url)["keys"]}


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def rfc7638_thumbprint(jwk: dict) -> str:
    """RFC 7638 §3: SHA-256 over the required members only, sorted, no whitespace."""
    required = {"RSA": ("e", "kty", "n"), "EC": ("crv", "kty", "x", "y"),
                "OKP": ("crv", "kty", "x")}[jwk["kty"]]
    canonical = json.dumps({k: jwk[k] for k in required}, separators=(",", ":"),
                           sort_keys=True)
    return b64url(hashlib.sha256(canonical.encode("utf-8")).digest())


def unverified_header(token: str) -> dict:
    return pyjwt.get_unverified_header(token)


def unverified_claims(token: str) -> dict:
    return json.loads(b64url_decode(token.split(".")[1]))


def half_hash(value: str) -> str:
    """at_hash for RS256/ES256 (OpenID Connect Core §3.1.3.6): left half of SHA-256."""
    digest = hashlib.sha256(value.encode("ascii")).digest()
    return b64url(digest[: len(digest) // 2])


def jwk_for(jwks: dict, kid: str) -> dict:
    matches = [k for k in jwks["keys"] if k.get("kid") == kid]
    assert len(matches) == 1, f"kid {kid!r} published {len(matches)} times in {jwks!r}"
    return matches[0]


# --------------------------------------------------------------------------
# PyJWT as the strict judge


def strict_decode(token: str, jwks: dict, *, alg: str, audience: str, issuer: str,
                  require: list[str]) -> dict:
    """Verify with PyJWT and no slack: the header's kid must be published, its key's alg
    must match, one algorithm only, zero leeway, every listed claim required, strict aud."""
    header = unverified_header(token)
    assert header.get("alg") == alg, f"alg {header.get('alg')!r}, want {alg}: {header}"
    kid = header.get("kid")
    assert kid, f"no kid in the header: {header}"
    jwk = jwk_for(jwks, kid)
    assert jwk.get("alg") == alg and jwk.get("use") == "sig", jwk
    key = pyjwt.PyJWK(jwk, algorithm=alg)
    return pyjwt.decode(token, key=key, algorithms=[alg], audience=audience, issuer=issuer,
                        leeway=0,
                        options={"require": list(require), "strict_aud": True,
                                 "verify_signature": True, "verify_exp": True,
                                 "verify_iat": True, "verify_nbf": True,
                                 "verify_aud": True, "verify_iss": True})


def verify_id_token(base_url: str, id_token: str, client_id: str, *, alg: str = "RS256",
                    nonce: str | None = None, access_token: str | None = None,
                    jwks: dict | None = None) -> dict:
    """An ID token as OpenID Connect Core §3.1.3.7 says a client must check it."""
    issuer = discovery(base_url)["issuer"]
    jwks = jwks or fetch_jwks(base_url)
    claims = strict_decode(id_token, jwks, alg=alg, audience=client_id, issuer=issuer,
                           require=ID_TOKEN_REQUIRED)
    header = unverified_header(id_token)
    # An ID token is not an access token; RFC 9068 §4 wants the two told apart.
    assert header.get("typ") in (None, "JWT"), f"ID token typ {header.get('typ')!r}"
    for name in ("exp", "iat", "auth_time"):
        assert type(claims[name]) is int, f"{name} is not an integer: {claims[name]!r}"
    assert claims["aud"] == client_id or claims["aud"] == [client_id], claims
    assert claims.get("azp", client_id) == client_id, claims
    assert claims["auth_time"] <= claims["iat"] < claims["exp"], claims
    assert claims.get("amr") == ["pwd"], f"amr {claims.get('amr')!r}, want ['pwd']"
    if nonce is None:
        assert "nonce" not in claims, f"nonce claim without a nonce sent: {claims}"
    else:
        assert claims.get("nonce") == nonce, f"nonce {claims.get('nonce')!r}, want {nonce!r}"
    if access_token is not None:
        assert claims.get("at_hash") == half_hash(access_token), (
            f"at_hash {claims.get('at_hash')!r}, want {half_hash(access_token)!r}")
    return claims


def verify_access_jwt(base_url: str, token: str, *, audience: str,
                      jwks: dict | None = None) -> dict:
    """An RFC 9068 access token as a resource server must check it (§4)."""
    issuer = discovery(base_url)["issuer"]
    header = unverified_header(token)
    # PyJWT and Authlib both accept any typ; RFC 9068 §4 says reject all but at+jwt.
    assert header.get("typ") == "at+jwt", f"typ {header.get('typ')!r}, want at+jwt: {header}"
    claims = strict_decode(token, jwks or fetch_jwks(base_url), alg="ES256",
                           audience=audience, issuer=issuer, require=ACCESS_TOKEN_REQUIRED)
    for name in ("exp", "iat"):
        assert type(claims[name]) is int, f"{name} is not an integer: {claims[name]!r}"
    assert claims["iat"] < claims["exp"], claims
    return claims


# --------------------------------------------------------------------------
# the front channel


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    return verifier, b64url(hashlib.sha256(verifier.encode()).digest())


def location_params(resp: requests.Response) -> dict:
    location = resp.headers.get("Location", "")
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


@dataclass
class Authorized:
    """What came back on the redirect, and what the client kept to redeem it."""
    params: dict
    location: str
    verifier: str | None
    state: str
    nonce: str | None
    redirect_uri: str
    started: float
    approval_code: str | None = None
    entry: dict = field(default_factory=dict)

    @property
    def code(self) -> str:
        assert self.params.get("code"), f"no code on the redirect: {self.location}"
        return self.params["code"]


def authorization_params(client: dict, *, scope: str = "openid", nonce: str | None = None,
                         pkce: bool = True, redirect_uri: str = REDIRECT,
                         extra: dict | None = None) -> tuple[dict, str | None, str]:
    verifier = challenge = None
    state = secrets.token_urlsafe(16)
    params = {"response_type": "code", "client_id": client["client_id"],
              "redirect_uri": redirect_uri, "scope": scope, "state": state}
    if pkce:
        verifier, challenge = pkce_pair()
        params.update(code_challenge=challenge, code_challenge_method="S256")
    if nonce is not None:
        params["nonce"] = nonce
    params.update(extra or {})
    return params, verifier, state


class BackgroundPost(BackgroundGet):
    """POST /authorize as a form (OpenID Connect Core §3.1.2.1), held open like a GET."""

    def __init__(self, url: str, data: dict, timeout: float = 120.0, **kw):
        super().__init__(url, timeout=timeout, **kw)
        self._data = data

    def _run(self):
        try:
            self.response = requests.post(self.url, data=self._data, **self._kw)
        except BaseException as exc:
            self.error = exc


def authorize(base_url: str, ta: TermAuth, client: dict, person: Person | None, *,
              scope: str = "openid", nonce: str | None = None, pkce: bool = True,
              redirect_uri: str = REDIRECT, extra: dict | None = None,
              method: str = "GET", approve_args=(), before_approve=None) -> Authorized:
    """The real front channel: a user agent waits on /authorize, the person signs in and
    approves with `termauth approve --user ... --yes`, the 302 carries the answer."""
    params, verifier, state = authorization_params(
        client, scope=scope, nonce=nonce, pkce=pkce, redirect_uri=redirect_uri, extra=extra)
    started = time.time()
    if method == "GET":
        agent = BackgroundGet(f"{base_url}/authorize?{urlencode(params)}",
                              allow_redirects=False).start()
    else:
        agent = BackgroundPost(f"{base_url}/authorize", params, allow_redirects=False).start()
    entry = ta.wait_for_request(client["client_id"], stop_if=agent.early_answer)
    if before_approve:
        before_approve(entry)
    if person is not None:
        ta.approve(entry["approval_code"], *approve_args, user=person.username,
                   password=person.password)
    else:
        ta.approve(entry["approval_code"], *approve_args)
    answer = agent.join()
    assert answer.status_code == 302, (
        f"/authorize answered {answer.status_code}: {answer.text[:300]}")
    got = location_params(answer)
    return Authorized(got, answer.headers["Location"], verifier, state, nonce, redirect_uri,
                      started, entry["approval_code"], entry)


def authorize_immediate(base_url: str, params: dict, method: str = "GET") -> requests.Response:
    """An /authorize request that is answered at once (an error, not parked)."""
    if method == "GET":
        return requests.get(base_url + "/authorize", params=params, allow_redirects=False,
                            timeout=30)
    return requests.post(base_url + "/authorize", data=params, allow_redirects=False, timeout=30)


# --------------------------------------------------------------------------
# the back channel


def token_request(base_url: str, client: dict, **form) -> requests.Response:
    auth = client_auth(client)
    if auth is None:
        form.setdefault("client_id", client["client_id"])
    return requests.post(base_url + "/token", data=form, auth=auth, timeout=30)


def redeem(base_url: str, client: dict, got: Authorized, **extra) -> requests.Response:
    form = {"grant_type": "authorization_code", "code": got.code,
            "redirect_uri": got.redirect_uri}
    if got.verifier:
        form["code_verifier"] = got.verifier
    form.update(extra)
    return token_request(base_url, client, **form)


def redeem_ok(base_url: str, client: dict, got: Authorized, **extra) -> dict:
    r = redeem(base_url, client, got, **extra)
    assert r.status_code == 200, f"code exchange answered {r.status_code}: {r.text[:500]}"
    assert "no-store" in r.headers.get("Cache-Control", "").lower(), r.headers
    return r.json()


def refresh_ok(base_url: str, client: dict, refresh_token: str, **extra) -> dict:
    r = token_request(base_url, client, grant_type="refresh_token",
                      refresh_token=refresh_token, **extra)
    assert r.status_code == 200, f"refresh answered {r.status_code}: {r.text[:500]}"
    return r.json()


def introspect(base_url: str, client: dict, token: str) -> dict:
    r = requests.post(base_url + "/introspect", data={"token": token}, auth=client_auth(client),
                      timeout=30)
    assert r.status_code == 200, f"/introspect answered {r.status_code}: {r.text[:300]}"
    return r.json()


def userinfo_get(base_url: str, token: str) -> requests.Response:
    return requests.get(base_url + "/userinfo", headers={"Authorization": f"Bearer {token}"},
                        timeout=30)


def userinfo_post_header(base_url: str, token: str) -> requests.Response:
    return requests.post(base_url + "/userinfo", headers={"Authorization": f"Bearer {token}"},
                         timeout=30)


def userinfo_post_body(base_url: str, token: str) -> requests.Response:
    return requests.post(base_url + "/userinfo", data={"access_token": token}, timeout=30)


def assert_bearer_error(resp: requests.Response, status: int, error: str) -> None:
    challenge = resp.headers.get("WWW-Authenticate", "")
    assert resp.status_code == status, (
        f"expected {status} {error}; got {resp.status_code} {challenge!r} {resp.text[:300]}")
    assert challenge.lower().startswith("bearer"), f"WWW-Authenticate: {challenge!r}"
    assert f'error="{error}"' in challenge, f"WWW-Authenticate: {challenge!r}, want {error}"


def assert_oauth_error(resp: requests.Response, status: int, error: str) -> dict:
    detail = f"HTTP {resp.status_code}: {resp.text[:500]}"
    assert resp.status_code == status, f"expected HTTP {status} {error}; got {detail}"
    body = resp.json()
    assert body.get("error") == error, f"expected error={error}; got {detail}"
    return body
