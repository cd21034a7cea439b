"""TermAuth driven by a real, independent OAuth client: Authlib's OAuth2Session.

The approval happens headlessly with `termauth approve`, while a plain
`requests` user agent long-polls GET /authorize and then follows the 302 to a
loopback listener, as a native app's browser would (RFC 8252).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session

from conftest import (ALICE, ALICE_PASSWORD, BackgroundGet, Loopback, Server,
                      TermAuth, unique)

REGISTERED_REDIRECT = "http://127.0.0.1/callback"


# --------------------------------------------------------------------------
# helpers


def assert_oauth_error(resp: requests.Response, status: int, error: str) -> dict:
    detail = f"HTTP {resp.status_code} {resp.headers.get('Content-Type')}: {resp.text[:500]}"
    assert resp.status_code == status, f"expected HTTP {status} {error}; got {detail}"
    try:
        body = resp.json()
    except ValueError:
        pytest.fail(f"error response is not JSON: {detail}")
    assert body.get("error") == error, f"expected error={error}; got {detail}"
    return body


def assert_no_store(resp: requests.Response) -> None:
    # RFC 6749 §5.1: responses carrying tokens must not be cached.
    cache = resp.headers.get("Cache-Control", "")
    assert "no-store" in cache.lower(), f"Cache-Control is {cache!r}, want no-store"


def post_token(server: Server, client: dict, secret: str | None = None,
               **form) -> requests.Response:
    """A raw token request, for what Authlib would hide (status, headers)."""
    auth = (client["client_id"], secret if secret is not None else client["client_secret"])
    return requests.post(server.url("/token"), data=form, auth=auth, timeout=30)


def get_resource(server: Server, access_token: str) -> requests.Response:
    return requests.get(server.url("/resource"), timeout=30,
                        headers={"Authorization": f"Bearer {access_token}"})


@dataclass
class Flow:
    session: OAuth2Session
    client: dict
    loopback: Loopback
    verifier: str
    state: str
    agent: BackgroundGet
    entry: dict | None = None
    token_responses: list | None = None

    @property
    def token_url(self) -> str:
        return self.session.metadata["token_endpoint"]


def start_flow(server: Server, termauth: TermAuth, client: dict, loopback: Loopback,
               scope: str = "profile email") -> Flow:
    """Authlib builds the request; a background agent waits on /authorize
    until the request is parked, which this returns the entry of."""
    session = OAuth2Session(
        client["client_id"], client["client_secret"], scope=scope,
        redirect_uri=loopback.redirect_uri, code_challenge_method="S256",
        token_endpoint=server.url("/token"))
    # Capture raw token responses: Authlib returns only the parsed JSON.
    responses: list = []

    def keep(resp):
        responses.append(resp)
        return resp

    session.register_compliance_hook("access_token_response", keep)
    session.register_compliance_hook("refresh_token_response", keep)

    verifier = generate_token(48)
    url, state = session.create_authorization_url(
        server.url("/authorize"), code_verifier=verifier, state=generate_token(24))
    agent = BackgroundGet(url).start()
    flow = Flow(session, client, loopback, verifier, state, agent,
                token_responses=responses)
    flow.entry = termauth.wait_for_request(client["client_id"], stop_if=agent.early_answer)
    return flow


def finish_flow(flow: Flow) -> dict:
    """Wait for the redirect to land on the loopback listener."""
    resp = flow.agent.join()
    assert resp.history and resp.history[0].status_code in (302, 303), (
        f"/authorize did not redirect: HTTP {resp.status_code} {resp.text[:300]}")
    query = flow.loopback.wait()
    assert resp.status_code == 200, f"loopback answered {resp.status_code}"
    return query


def exchange(flow: Flow) -> dict:
    return flow.session.fetch_token(
        flow.token_url, authorization_response=flow.loopback.raw_url,
        state=flow.state, code_verifier=flow.verifier)


def approved_flow(server, termauth, client, loopback, *approve_args,
                  scope="profile email"):
    flow = start_flow(server, termauth, client, loopback, scope=scope)
    termauth.approve(flow.entry["approval_code"], *approve_args)
    query = finish_flow(flow)
    assert "code" in query, f"no code in callback: {query}"
    return flow, query


# --------------------------------------------------------------------------
# fixtures


@pytest.fixture
def code_client(seeded) -> dict:
    return seeded.add_client(
        unique("authlib-code"), redirect_uris=[REGISTERED_REDIRECT],
        grants=["authorization_code", "refresh_token"], scopes=["profile", "email"])


@pytest.fixture
def cc_client(seeded) -> dict:
    # A redirect URI is harmless for client_credentials and keeps the test
    # independent of whether `client add` insists on one.
    return seeded.add_client(
        unique("authlib-cc"), redirect_uris=[REGISTERED_REDIRECT],
        grants=["client_credentials"], scopes=["profile"])


# --------------------------------------------------------------------------
# authorization code + PKCE + refresh


def test_code_flow_with_pkce_refresh_and_resource(server, seeded, code_client, loopback):
    flow = start_flow(server, seeded, code_client, loopback)
    assert flow.entry["redirect_uri"] == loopback.redirect_uri
    assert set(flow.entry["scope"].split()) == {"profile", "email"}
    assert flow.entry["approval_code"]

    seeded.approve(flow.entry["approval_code"])
    query = finish_flow(flow)
    assert query.get("code"), f"callback without code: {query}"
    assert query.get("state") == flow.state

    token = exchange(flow)
    assert token["token_type"].lower() == "bearer", token
    assert token["access_token"]
    assert token["refresh_token"]
    assert isinstance(token["expires_in"], int) and token["expires_in"] > 0, token
    assert_no_store(flow.token_responses[-1])

    me = flow.session.get(server.url("/resource"), timeout=30)
    assert me.status_code == 200, me.text
    assert me.json()["username"] == ALICE

    old = dict(token)
    new = flow.session.refresh_token(flow.token_url)
    assert_no_store(flow.token_responses[-1])
    assert new["access_token"] and new["access_token"] != old["access_token"]
    assert new["refresh_token"] and new["refresh_token"] != old["refresh_token"], \
        "refresh token was not rotated"

    # The new access token works before anyone replays the old refresh token
    # (a replay may legitimately revoke the whole token family).
    me = get_resource(server, new["access_token"])
    assert me.status_code == 200, me.text
    assert me.json()["username"] == ALICE

    replay = post_token(server, code_client, grant_type="refresh_token",
                        refresh_token=old["refresh_token"])
    assert_oauth_error(replay, 400, "invalid_grant")


def test_refresh_token_reuse_revokes_family(server, seeded, code_client, loopback):
    # DESIGN.md: "reuse of an old refresh token revokes the family".
    flow, _ = approved_flow(server, seeded, code_client, loopback)
    first = exchange(flow)
    second = flow.session.refresh_token(flow.token_url)
    assert second["refresh_token"] != first["refresh_token"]

    replay = post_token(server, code_client, grant_type="refresh_token",
                        refresh_token=first["refresh_token"])
    assert_oauth_error(replay, 400, "invalid_grant")

    after = post_token(server, code_client, grant_type="refresh_token",
                       refresh_token=second["refresh_token"])
    assert_oauth_error(after, 400, "invalid_grant")


def test_authorization_code_is_single_use(server, seeded, code_client, loopback):
    flow, query = approved_flow(server, seeded, code_client, loopback)
    exchange(flow)
    again = post_token(server, code_client, grant_type="authorization_code",
                       code=query["code"], redirect_uri=loopback.redirect_uri,
                       code_verifier=flow.verifier)
    assert_oauth_error(again, 400, "invalid_grant")


def test_wrong_pkce_verifier_is_rejected(server, seeded, code_client, loopback):
    flow, query = approved_flow(server, seeded, code_client, loopback)
    wrong = post_token(server, code_client, grant_type="authorization_code",
                       code=query["code"], redirect_uri=loopback.redirect_uri,
                       code_verifier=generate_token(48))
    # RFC 7636 §4.6
    assert_oauth_error(wrong, 400, "invalid_grant")


def test_approve_subset_of_requested_scopes(server, seeded, code_client, loopback):
    flow, query = approved_flow(server, seeded, code_client, loopback,
                                "--scope", "profile")
    assert query.get("state") == flow.state
    token = exchange(flow)
    # RFC 6749 §5.1: scope is required in the response when it differs
    # from what the client asked for.
    assert token.get("scope") == "profile", token
    me = get_resource(server, token["access_token"])
    assert me.status_code == 200, me.text


def test_deny_redirects_access_denied(server, seeded, code_client, loopback):
    flow = start_flow(server, seeded, code_client, loopback)
    proc = seeded.approve(flow.entry["approval_code"], "--deny", check=False)
    # The contract says 1 means "refused or denied"; a successful --deny may
    # reasonably report either.
    assert proc.returncode in (0, 1), proc.stderr
    query = finish_flow(flow)
    assert query.get("error") == "access_denied", query
    assert query.get("state") == flow.state
    assert "code" not in query


def test_wrong_password_is_refused_and_request_stays_parked(server, seeded, code_client,
                                                            loopback):
    flow = start_flow(server, seeded, code_client, loopback)
    code = flow.entry["approval_code"]
    bad = seeded.approve(code, password="not " + ALICE_PASSWORD, check=False)
    assert bad.returncode == 1, (bad.returncode, bad.stdout, bad.stderr)
    assert flow.agent.early_answer() is None, "a wrong password ended the request"

    seeded.approve(code)
    query = finish_flow(flow)
    assert query.get("code") and query.get("state") == flow.state


def test_unregistered_redirect_uri_is_never_redirected_to(server, code_client):
    evil = "http://evil.example/callback"
    resp = requests.get(server.url("/authorize"), allow_redirects=False, timeout=30,
                        params={"response_type": "code",
                                "client_id": code_client["client_id"],
                                "redirect_uri": evil, "scope": "profile",
                                "state": "s", "code_challenge": "x" * 43,
                                "code_challenge_method": "S256"})
    # RFC 6749 §4.1.2.1: tell the user, never redirect to an unverified URI.
    assert resp.status_code == 400, f"HTTP {resp.status_code}: {resp.text[:300]}"
    assert "evil.example" not in resp.headers.get("Location", "")


# --------------------------------------------------------------------------
# client credentials and client authentication


def test_client_credentials_with_authlib(server, cc_client):
    session = OAuth2Session(cc_client["client_id"], cc_client["client_secret"],
                            scope="profile")
    raw = []
    session.register_compliance_hook("access_token_response",
                                     lambda r: raw.append(r) or r)
    token = session.fetch_token(server.url("/token"), grant_type="client_credentials")
    assert token["token_type"].lower() == "bearer", token
    assert token["access_token"]
    assert isinstance(token["expires_in"], int) and token["expires_in"] > 0, token
    # RFC 6749 §4.4.3: a refresh token SHOULD NOT be included.
    assert "refresh_token" not in token, token
    assert raw and raw[-1].status_code == 200
    assert_no_store(raw[-1])


def test_wrong_client_secret_is_401_with_basic_challenge(server, cc_client):
    resp = post_token(server, cc_client, secret="wrong-" + cc_client["client_secret"],
                      grant_type="client_credentials", scope="profile")
    # RFC 6749 §5.2: Basic was used, so 401 plus a matching challenge.
    assert_oauth_error(resp, 401, "invalid_client")
    challenge = resp.headers.get("WWW-Authenticate", "")
    assert challenge.lower().startswith("basic"), f"WWW-Authenticate: {challenge!r}"


def test_unknown_client_is_invalid_client(server):
    fake = {"client_id": unique("no-such-client"), "client_secret": "nope"}
    resp = post_token(server, fake, grant_type="client_credentials")
    assert_oauth_error(resp, 401, "invalid_client")


def test_grant_not_allowed_for_client(server, code_client):
    resp = post_token(server, code_client, grant_type="client_credentials",
                      scope="profile")
    assert_oauth_error(resp, 400, "unauthorized_client")


# --------------------------------------------------------------------------
# resource server and metadata


def test_resource_requires_bearer_token(server):
    resp = requests.get(server.url("/resource"), timeout=30)
    assert resp.status_code == 401, resp.text
    assert resp.headers.get("WWW-Authenticate", "").lower().startswith("bearer")

    resp = get_resource(server, "not-a-real-token")
    assert resp.status_code == 401, resp.text
    # RFC 6750 §3.1
    assert "invalid_token" in resp.headers.get("WWW-Authenticate", "")


def test_healthz(server):
    assert requests.get(server.url("/healthz"), timeout=10).status_code == 200


def test_authorization_server_metadata(server):
    resp = requests.get(server.url("/.well-known/oauth-authorization-server"), timeout=10)
    assert resp.status_code == 200, resp.text
    md = resp.json()
    # RFC 8414 §2 required members
    assert md.get("issuer"), md
    assert md.get("authorization_endpoint", "").endswith("/authorize"), md
    assert md.get("token_endpoint", "").endswith("/token"), md
    assert "code" in md.get("response_types_supported", []), md
    if "code_challenge_methods_supported" in md:
        assert "S256" in md["code_challenge_methods_supported"], md
    if "grant_types_supported" in md:
        for grant in ("authorization_code", "refresh_token", "client_credentials"):
            assert grant in md["grant_types_supported"], md
