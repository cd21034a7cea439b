"""Secrets stay secret: after every grant, introspection, revocation and a few
failures, run against a server logging at its chattiest levels, no secret
appears in the server log, in any command's error output, in an HTTP error
body, or in plain text in the database; and the database, its WAL and shared
memory files and the approval-code key are readable by their owner only.
"""

from __future__ import annotations

import os
import stat
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from conftest import ALICE, ALICE_PASSWORD, BackgroundGet, TermAuth, TermAuthError, unique
from server_process import (DEVICE_GRANT, ServeProcess, authorization_code, introspect,
                            pkce_pair, private_termauth)


@dataclass
class RecordingTermAuth(TermAuth):
    """Keeps what every command wrote to stderr, and stdout too when it
    failed: the error output a person might paste into a bug report."""
    error_output: list = field(default_factory=list)

    def run(self, *args, input=None, check=True, timeout=60.0):
        proc = super().run(*args, input=input, check=False, timeout=timeout)
        self.error_output.append(proc.stderr)
        if proc.returncode != 0:
            self.error_output.append(proc.stdout)
        if check and proc.returncode != 0:
            raise TermAuthError(f"`termauth {' '.join(args)}` exited {proc.returncode}\n"
                                f"{proc.stdout}\n{proc.stderr}")
        return proc

    __call__ = run


class Flows:
    """Drives every grant against one server and remembers each secret that
    crossed the wire, and each HTTP error body."""

    def __init__(self, ta: RecordingTermAuth, server: ServeProcess):
        self.ta, self.server = ta, server
        self.secrets: dict[str, str] = {}  # value -> what it is, for the failure message
        self.error_bodies: list[str] = []

    def keep(self, what: str, value: str) -> str:
        assert value and len(value) >= 8, f"{what} is suspiciously short: {value!r}"
        self.secrets[value] = what
        return value

    def post(self, path: str, auth=None, **form) -> requests.Response:
        r = requests.post(self.server.url(path), data=form, auth=auth, timeout=30)
        if r.status_code >= 400:
            self.error_bodies.append(r.text)
        return r

    def tokens_from(self, what: str, r: requests.Response) -> dict:
        assert r.status_code == 200, f"{what}: {r.status_code} {r.text[:300]}"
        body = r.json()
        self.keep(f"{what} access token", body["access_token"])
        if "refresh_token" in body:
            self.keep(f"{what} refresh token", body["refresh_token"])
        return body


def run_every_flow(f: Flows) -> None:
    ta, server = f.ta, f.server
    f.keep("alice's password", ALICE_PASSWORD)
    app = ta.add_client(unique("app"), redirect_uris=["http://127.0.0.1/cb"], scopes=["profile"],
                        grants=["authorization_code", "refresh_token", "password"])
    svc = ta.add_client(unique("svc"), grants=["client_credentials"], scopes=["profile"])
    tv = ta.add_client(unique("tv"), public=True, grants=[DEVICE_GRANT, "refresh_token"])
    app_auth = (app["client_id"], f.keep("app client secret", app["client_secret"]))
    svc_auth = (svc["client_id"], f.keep("svc client secret", svc["client_secret"]))

    # Authorization code with PKCE, then the resource, then a refresh.
    got = authorization_code(server, ta, app, "http://127.0.0.1:9/cb")
    f.keep("authorization code", got["code"])
    f.keep("code_verifier", got["verifier"])
    form = {"grant_type": "authorization_code", "code": got["code"],
            "redirect_uri": got["redirect_uri"], "code_verifier": got["verifier"]}
    code_tokens = f.tokens_from("code grant", f.post("/token", app_auth, **form))
    r = requests.get(server.url("/resource"), timeout=30,
                     headers={"Authorization": f"Bearer {code_tokens['access_token']}"})
    assert r.status_code == 200, r.text
    # A bearer token in the query (RFC 6750 §2.3) must not reach the log either.
    requests.get(server.url(f"/resource?access_token={code_tokens['access_token']}"), timeout=30)
    refreshed = f.tokens_from("refresh", f.post(
        "/token", app_auth, grant_type="refresh_token", refresh_token=code_tokens["refresh_token"]))
    # Failures: the code again (reuse), a wrong secret, a wrong password.
    assert f.post("/token", app_auth, **form).status_code == 400
    wrong_secret = f.keep("wrong client secret", "not-the-secret-" + app["client_secret"][:20])
    assert f.post("/token", (app["client_id"], wrong_secret),
                  grant_type="client_credentials").status_code == 401
    wrong_password = f.keep("wrong password", "wrong horse battery staple")
    r = f.post("/token", app_auth, grant_type="password", username=ALICE,
               password=wrong_password, scope="profile")
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant", r.text

    # Password grant, client credentials.
    pw = f.tokens_from("password grant", f.post("/token", app_auth, grant_type="password",
                                           username=ALICE, password=ALICE_PASSWORD, scope="profile"))
    cc = f.tokens_from("client credentials", f.post(
        "/token", svc_auth, grant_type="client_credentials", scope="profile"))

    # Device flow: a person approves with the CLI while the device polls.
    r = f.post("/device_authorization", client_id=tv["client_id"], scope="profile")
    assert r.status_code == 200, r.text
    device = r.json()
    f.keep("device_code", device["device_code"])
    poll = {"grant_type": DEVICE_GRANT, "device_code": device["device_code"],
            "client_id": tv["client_id"]}
    assert f.post("/token", **poll).json()["error"] == "authorization_pending"
    ta.approve(device["user_code"])
    deadline = time.monotonic() + 30
    while True:
        time.sleep(device["interval"])
        r = f.post("/token", **poll)
        if r.status_code == 200 or time.monotonic() > deadline:
            break
    f.tokens_from("device grant", r)

    # Introspection and revocation, over HTTP and the CLI. (The code grant's
    # family died with the code's reuse above, so these use the password grant's.)
    assert introspect(server, svc_auth, refreshed["access_token"]) == {"active": False}
    assert introspect(server, svc_auth, pw["access_token"])["active"] is True
    ta.run("token", "introspect", pw["refresh_token"])
    assert f.post("/revoke", app_auth, token=pw["refresh_token"],
                  token_type_hint="refresh_token").status_code == 200
    ta.run("token", "revoke", cc["access_token"])
    assert ta.run("token", "introspect", cc["access_token"], check=False).returncode == 1
    # A failed sign-in at the terminal.
    client = ta.add_client(unique("late"), redirect_uris=["http://127.0.0.1/cb"], scopes=["profile"])
    _, challenge = pkce_pair()
    agent = BackgroundGet(server.url(
        f"/authorize?response_type=code&client_id={client['client_id']}&scope=profile"
        f"&redirect_uri=http://127.0.0.1:9/cb&code_challenge={challenge}&code_challenge_method=S256"),
        allow_redirects=False).start()
    approval = ta.wait_for_approval_code(client["client_id"], stop_if=agent.early_answer)
    failed = ta.approve(approval, password=wrong_password, check=False)
    assert failed.returncode == 1 and "incorrect username or password" in failed.stderr
    ta.approve(approval, "--deny")
    assert agent.join().status_code == 302


def leaks(secrets: dict, name: str, text: str) -> list[str]:
    return [f"{what} in {name}" for value, what in secrets.items() if value in text]


@pytest.mark.parametrize("level", ["trace", "debug"])
def test_no_secret_in_logs_output_or_database(termauth, tmp_path, level):
    base = private_termauth(termauth, tmp_path)
    ta = RecordingTermAuth(binary=base.binary, db=base.db, config=base.config, env=base.env)
    log = tmp_path / "serve.log"
    with ServeProcess(ta, log, log_level=level) as server:
        flows = Flows(ta, server)
        run_every_flow(flows)
        # While the server runs, SQLite keeps its -wal and -shm files open.
        private_files = [ta.db, Path(f"{ta.db}-wal"), Path(f"{ta.db}-shm"),
                         Path(f"{ta.db}.key")]
        for path in private_files:
            assert path.exists(), f"{path} missing"
            mode = stat.S_IMODE(os.stat(path).st_mode)
            assert mode == 0o600, f"{path.name} has mode {oct(mode)}, want 0o600"
        stored = b"".join(p.read_bytes() for p in private_files[:2])
    time.sleep(0.1)  # the log is flushed at exit; the file is complete once serve is gone
    log_text = log.read_text(errors="replace")
    assert "POST /token" in log_text, "the log should at least record requests"

    found = leaks(flows.secrets, f"the {level} server log", log_text)
    found += leaks(flows.secrets, "CLI error output", "\n".join(ta.error_output))
    found += leaks(flows.secrets, "an HTTP error body", "\n".join(flows.error_bodies))
    found += [f"{what} in plain text in the database"
              for value, what in flows.secrets.items() if value.encode() in stored]
    print(f"{level}: {len(flows.secrets)} secrets checked against {len(log_text)} bytes of log, "
          f"{len(ta.error_output)} CLI outputs, {len(flows.error_bodies)} error bodies, "
          f"{len(stored)} bytes of database")
    assert not found, "secrets leaked: " + "; ".join(found)
