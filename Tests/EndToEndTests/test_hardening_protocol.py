"""Protocol and operations fixes of issue 15, end to end.

- /token answers a denied device `access_denied` with HTTP 400 (RFC 8628 §3.5
  uses the RFC 6749 §5.2 error response, which is 400);
- RFC 6749 §4.1.3: a redirect_uri sent to /authorize must be sent again, the
  same, to /token, even when the client has a single registered URI;
- /introspect only for clients registered with `--introspect` (or
  `introspect = true` in the settings file); others get 400 unauthorized_client;
- `termauth consent revoke` also revokes that user's tokens for that client;
- a settings-file [[clients]] entry that differs from the database is applied
  at `serve` start, and stderr says so;
- the SQLite database and the approval key file must be private to their owner.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import time
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests

from conftest import ALICE, ALICE_PASSWORD, BackgroundGet, unique
from hardening_helpers import add_introspector, approve_yes, browser_authorize, instance, serve
from server_process import pkce_pair

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
APP_REDIRECT = "https://app.example/cb"


@pytest.fixture(scope="module")
def private(termauth, tmp_path_factory):
    directory = tmp_path_factory.mktemp("hardening-protocol")
    ta = instance(termauth, directory)
    with serve(ta, directory) as server:
        yield ta, server


def code_flow(ta, server, client, send_redirect: str | None, *approve_args: str) -> dict:
    """Front channel: a waiting agent, a headless approval, the 302 with the code."""
    verifier, challenge = pkce_pair()
    params = {"response_type": "code", "client_id": client["client_id"], "scope": "profile",
              "state": "st", "code_challenge": challenge, "code_challenge_method": "S256"}
    if send_redirect is not None:
        params["redirect_uri"] = send_redirect
    agent = BackgroundGet(server.url("/authorize?" + urlencode(params)), allow_redirects=False).start()
    entry = ta.wait_for_request(client["client_id"], stop_if=agent.early_answer)
    approve_yes(ta, entry["approval_code"], *approve_args)
    answer = agent.join()
    assert answer.status_code == 302, f"/authorize answered {answer.status_code}: {answer.text[:300]}"
    location = answer.headers["Location"]
    got = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    assert got.get("code"), location
    return {"code": got["code"], "verifier": verifier}


def redeem(server, client, code: dict, redirect_uri: str | None) -> requests.Response:
    form = {"grant_type": "authorization_code", "code": code["code"], "code_verifier": code["verifier"]}
    if redirect_uri is not None:
        form["redirect_uri"] = redirect_uri
    return requests.post(server.url("/token"), data=form, timeout=30,
                         auth=(client["client_id"], client["client_secret"]))


def introspect(server, auth, token: str) -> requests.Response:
    return requests.post(server.url("/introspect"), data={"token": token}, auth=auth, timeout=30)


def active(server, auth, token: str) -> bool:
    r = introspect(server, auth, token)
    assert r.status_code == 200, f"/introspect: {r.status_code} {r.text[:300]}"
    return r.json()["active"]


# --------------------------------------------------------------------------


def test_denied_device_is_told_access_denied_with_400(private):
    ta, server = private
    client = ta.add_client(unique("tv"), public=True, grants=[DEVICE_GRANT])
    r = requests.post(server.url("/device_authorization"),
                      data={"client_id": client["client_id"], "scope": "profile"}, timeout=10)
    assert r.status_code == 200, r.text
    device = r.json()
    proc = ta.run("approve", device["user_code"], "--user", ALICE, "--password-stdin", "--deny",
                  input=ALICE_PASSWORD + "\n", check=False)
    assert proc.returncode in (0, 1) and "denied" in proc.stdout, (proc.returncode, proc.stderr)
    time.sleep(device.get("interval", 1))
    t = requests.post(server.url("/token"), timeout=10, data={
        "grant_type": DEVICE_GRANT, "device_code": device["device_code"], "client_id": client["client_id"]})
    assert t.json().get("error") == "access_denied", t.text
    assert t.status_code == 400, f"access_denied answered with HTTP {t.status_code} (want 400)"


def test_redirect_uri_sent_to_authorize_must_be_repeated_at_token(private):
    ta, server = private
    # One registered URI: the case where leaving it out at /token used to pass.
    client = ta.add_client(unique("app"), redirect_uris=[APP_REDIRECT], scopes=["profile"])

    sent = code_flow(ta, server, client, APP_REDIRECT)
    r = redeem(server, client, sent, None)
    assert r.status_code == 400, \
        f"/authorize had redirect_uri, /token did not: HTTP {r.status_code} {r.text[:300]}"
    # RFC 6749 §5.2: a required parameter is missing, so invalid_request (a different value
    # is invalid_grant, below).
    assert r.json().get("error") == "invalid_request", r.text
    assert "redirect_uri" in r.json().get("error_description", ""), r.text
    assert "access_token" not in r.text

    other = code_flow(ta, server, client, APP_REDIRECT)
    r = redeem(server, client, other, APP_REDIRECT + "/other")
    assert r.status_code == 400 and r.json().get("error") == "invalid_grant", r.text

    # Control: a request that did not carry redirect_uri needs none at /token.
    implied = code_flow(ta, server, client, None)
    r = redeem(server, client, implied, None)
    assert r.status_code == 200 and r.json().get("access_token"), r.text
    # And repeating it exactly works.
    repeated = code_flow(ta, server, client, APP_REDIRECT)
    r = redeem(server, client, repeated, APP_REDIRECT)
    assert r.status_code == 200 and r.json().get("access_token"), r.text


def test_introspection_needs_a_client_registered_for_it(termauth, tmp_path):
    rs_id = unique("rs-file")
    ta = instance(termauth, tmp_path, extra=f"""
[[clients]]
id = "{rs_id}"
name = "resource server from the file"
grants = ["client_credentials"]
introspect = true
""")
    out = ta.run("client", "add", "--name", unique("rs"), "--grant", "client_credentials",
                 "--introspect", "--json", check=False)
    assert out.returncode == 0, f"client add --introspect: {out.stderr}"
    rs = json.loads(out.stdout)
    plain = ta.add_client(unique("plain"), grants=["client_credentials"], introspect=False)
    token = ta.json("token", "issue", "--client", plain["client_id"], "--user", ALICE,
                    "--scope", "profile", "--json")["access_token"]

    with serve(ta, tmp_path) as server:
        r = introspect(server, (plain["client_id"], plain["client_secret"]), token)
        assert r.status_code == 400, f"/introspect by a client not registered for it: {r.status_code} {r.text}"
        assert r.json().get("error") == "unauthorized_client", r.text
        assert "active" not in r.json(), r.text

        r = introspect(server, (rs["client_id"], rs["client_secret"]), token)
        assert r.status_code == 200, r.text
        info = r.json()
        assert info["active"] is True and info.get("username") == ALICE, info

        # The settings file's client, created at serve start, may introspect too.
        secret = ta.json("client", "reset-secret", rs_id, "--json")["client_secret"]
        deadline = time.monotonic() + 5
        while True:  # the server may remember the old secret for a second
            r = introspect(server, (rs_id, secret), token)
            if r.status_code != 401 or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert r.status_code == 200 and r.json()["active"] is True, \
            f"introspect = true client from the settings file: {r.status_code} {r.text}"


def test_consent_revoke_revokes_the_users_tokens_for_that_client(private):
    ta, server = private
    rs = add_introspector(ta, unique("rs"))
    rs_auth = (rs["client_id"], rs["client_secret"])
    client = ta.add_client(unique("app"), redirect_uris=[APP_REDIRECT], scopes=["profile"])
    other = ta.add_client(unique("other"), redirect_uris=[APP_REDIRECT], scopes=["profile"])

    code = code_flow(ta, server, client, APP_REDIRECT, "--remember")
    r = redeem(server, client, code, APP_REDIRECT)
    assert r.status_code == 200, r.text
    tokens = r.json()
    assert tokens.get("refresh_token"), tokens
    elsewhere = ta.json("token", "issue", "--client", other["client_id"], "--user", ALICE,
                        "--scope", "profile", "--json")["access_token"]
    consents = ta.json("consent", "list", "--user", ALICE, "--json")
    assert any(c["client_id"] == client["client_id"] for c in consents), consents
    assert active(server, rs_auth, tokens["access_token"])
    assert active(server, rs_auth, tokens["refresh_token"])

    ta.run("consent", "revoke", "--user", ALICE, "--client", client["client_id"])

    assert not any(c["client_id"] == client["client_id"]
                   for c in ta.json("consent", "list", "--user", ALICE, "--json"))
    assert active(server, rs_auth, tokens["access_token"]) is False, "access token still active"
    assert active(server, rs_auth, tokens["refresh_token"]) is False, "refresh token still active"
    r = requests.post(server.url("/token"), timeout=30, auth=(client["client_id"], client["client_secret"]),
                      data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]})
    assert r.status_code == 400 and r.json().get("error") == "invalid_grant", r.text
    me = requests.get(server.url("/resource"), timeout=30,
                      headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert me.status_code == 401, me.text
    # Only that client's tokens go.
    assert active(server, rs_auth, elsewhere) is True, "a token for another client was revoked"


def test_settings_file_client_is_brought_in_line_at_serve_start(termauth, tmp_path):
    ta = instance(termauth, tmp_path)
    ta.add_scope("email", "Read your email address")
    client_id = unique("declared")
    ta.run("client", "add", "--id", client_id, "--name", "Old Name",
           "--redirect-uri", "https://old.example/cb", "--grant", "authorization_code",
           "--scope", "profile", "--json")
    ta.config.write_text(ta.config.read_text() + f"""
[[clients]]
id = "{client_id}"
name = "New Name"
redirect_uris = ["https://new.example/cb"]
grants = ["authorization_code", "refresh_token"]
scopes = ["profile", "email"]
""")
    with serve(ta, tmp_path) as server:
        log = server.log_path.read_text(errors="replace")
        lines = [l for l in log.splitlines() if client_id in l]
        assert lines, f"serve said nothing about the changed client {client_id}:\n{log[-2000:]}"
        assert any(w in " ".join(lines).lower() for w in ("updat", "chang")), lines

        listed = {c["client_id"]: c for c in ta.json("client", "list", "--json")}[client_id]
        assert listed["name"] == "New Name", listed
        assert listed["redirect_uris"] == ["https://new.example/cb"], listed
        assert sorted(listed["grant_types"]) == ["authorization_code", "refresh_token"], listed
        assert sorted(listed["scopes"]) == ["email", "profile"], listed

        client = {"client_id": client_id}
        r = browser_authorize(server, client, "https://new.example/cb")
        assert r.status_code == 200, f"the file's redirect URI: {r.status_code} {r.text[:300]}"
        r = browser_authorize(server, client, "https://old.example/cb")
        assert r.status_code == 400, f"the old redirect URI: {r.status_code} {r.text[:300]}"
        assert "old.example" not in r.headers.get("Location", "")


# --------------------------------------------------------------------------
# private files


def _expect_refused(ta, path, fix: bool = True, args=("scope", "list")):
    proc = ta.run(*args, check=False)
    assert proc.returncode != 0, \
        f"`termauth {' '.join(args)}` ran with {path} mode {oct(stat.S_IMODE(os.stat(path).st_mode))} " \
        f"owner {os.stat(path).st_uid}:\n{proc.stdout}"
    assert str(path) in proc.stderr, f"the message does not name {path}:\n{proc.stderr}"
    if fix:
        assert f"chmod 600 {path}" in proc.stderr, f"the message does not give the fix:\n{proc.stderr}"
    return proc


def test_database_and_key_file_with_loose_permissions_are_refused(termauth, tmp_path):
    ta = instance(termauth, tmp_path)
    db = ta.db
    key = db.with_name(db.name + ".key")
    assert db.exists() and key.exists(), sorted(p.name for p in tmp_path.iterdir())
    ta.run("scope", "list")  # private: works

    for path in (db, key):
        for mode in (0o644, 0o640, 0o604, 0o660):
            os.chmod(path, mode)
            try:
                _expect_refused(ta, path)
            finally:
                os.chmod(path, 0o600)
        ta.run("scope", "list")  # private again: works again

    # `serve` refuses too, instead of listening.
    os.chmod(db, 0o644)
    try:
        argv = [str(ta.binary), "serve", "--db", str(db), "--config", str(ta.config),
                "--host", "127.0.0.1", "--port", "0"]
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env=ta.env, stdin=subprocess.DEVNULL)
        try:
            out, err = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
            pytest.fail(f"serve ran with a world-readable database:\n{out}\n{err}")
        assert proc.returncode != 0 and "listening" not in out, (proc.returncode, out, err)
        assert str(db) in err and f"chmod 600 {db}" in err, err
    finally:
        os.chmod(db, 0o600)


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give the files to another user")
def test_database_and_key_file_owned_by_another_user_are_refused(termauth, tmp_path):
    ta = instance(termauth, tmp_path)
    db = ta.db
    key = db.with_name(db.name + ".key")
    for path in (db, key):
        os.chown(path, 65534, 65534)
        try:
            _expect_refused(ta, path, fix=False)
        finally:
            os.chown(path, 0, 0)
        ta.run("scope", "list")
