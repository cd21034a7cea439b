"""Helpers shared by the test_hardening_*.py files (issue 15).

Every hardening test owns its server: a fresh database and a settings file
written for that test, so a small limit in one test never leaks into another,
and a source address locked out by one test never refuses another's requests.
"""

from __future__ import annotations

import dataclasses
import http.client
import json
import subprocess
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import requests
from requests.adapters import HTTPAdapter

from conftest import ALICE, ALICE_PASSWORD, TermAuth
from server_process import ServeProcess, pkce_pair

# Fast hashing and one-second device polling; each test appends its own tables.
BASE_SECURITY = "password_hash_rounds = 1000\n"
BASE_LIFETIMES = "[lifetimes]\ndevice_poll_interval = 1\n"


def settings_text(security: str = "", extra: str = "") -> str:
    """A settings file: [security] with fast hashing plus `security` lines,
    then [lifetimes], then `extra` (more tables, [[clients]] ...)."""
    return ("[security]\n" + BASE_SECURITY + security.strip() + "\n\n"
            + BASE_LIFETIMES + "\n" + extra.strip() + "\n")


def instance(termauth: TermAuth, directory: Path, security: str = "", extra: str = "",
             users=((ALICE, ALICE_PASSWORD),)) -> TermAuth:
    """The session's binary over a brand-new database with its own settings
    file, the `profile` scope and the given users."""
    directory.mkdir(parents=True, exist_ok=True)
    config = directory / "termauth.toml"
    config.write_text(settings_text(security, extra))
    ta = dataclasses.replace(termauth, db=directory / "termauth.sqlite3", config=config)
    ta.add_scope("profile", "Read your username and display name")
    for name, password in users:
        ta.add_user(name, password)
    return ta


def serve(ta: TermAuth, directory: Path, name: str = "serve.log") -> ServeProcess:
    return ServeProcess(ta, directory / name)


def run_detached(ta: TermAuth, *args: str, input: str | None = None,
                 timeout: float = 60.0) -> subprocess.CompletedProcess:
    """Runs `termauth ARGS --db --config` with pipes for stdin/stdout/stderr and
    in a new session, so it has no controlling terminal at all (not even
    /dev/tty of whoever runs pytest)."""
    argv = [str(ta.binary), *args, "--db", str(ta.db), "--config", str(ta.config)]
    return subprocess.run(argv, input=input, capture_output=True, text=True, timeout=timeout,
                          env=ta.env, start_new_session=True, stdin=None if input is not None
                          else subprocess.DEVNULL)


def approve_yes(ta: TermAuth, code: str, *extra: str, user: str = ALICE,
                password: str = ALICE_PASSWORD) -> subprocess.CompletedProcess:
    """A headless approval that is meant to succeed (for tests of other
    features): no terminal, so --yes."""
    proc = run_detached(ta, "approve", code, "--user", user, "--password-stdin", "--yes", *extra,
                        input=password + "\n")
    assert proc.returncode == 0, f"approve {code} failed ({proc.returncode}):\n{proc.stderr}"
    return proc


def add_introspector(ta: TermAuth, name: str) -> dict:
    """A confidential client that may call /introspect (`--introspect`)."""
    return ta.add_client(name, grants=["client_credentials"], introspect=True)


def audit(ta: TermAuth, limit: int = 1000) -> list[dict]:
    out = ta.json("audit", "--json", "--limit", str(limit))
    assert isinstance(out, list), out
    return out


# --------------------------------------------------------------------------
# Source addresses. All of 127.0.0.0/8 is the loopback interface on Linux, so
# a client socket bound to 127.0.0.2 reaches a server on 127.0.0.1 and the
# server sees a second, distinct source address.


class _SourceAdapter(HTTPAdapter):
    def __init__(self, source_ip: str, **kw):
        self._source = (source_ip, 0)
        super().__init__(**kw)

    def init_poolmanager(self, *args, **kw):
        kw["source_address"] = self._source
        return super().init_poolmanager(*args, **kw)


def session_from(source_ip: str = "127.0.0.1") -> requests.Session:
    s = requests.Session()
    adapter = _SourceAdapter(source_ip)
    s.mount("http://", adapter)
    s.mount("https://", adapter)
    return s


# --------------------------------------------------------------------------
# /authorize


def authorize_url(server: ServeProcess, client: dict, redirect_uri: str | None,
                  **extra: str) -> str:
    _, challenge = pkce_pair()
    params = {"response_type": "code", "client_id": client["client_id"], "scope": "profile",
              "state": "st", "code_challenge": challenge, "code_challenge_method": "S256"}
    if redirect_uri is not None:
        params["redirect_uri"] = redirect_uri
    params.update(extra)
    return server.url("/authorize?" + urlencode(params))


def browser_authorize(server: ServeProcess, client: dict, redirect_uri: str | None,
                      source_ip: str = "127.0.0.1", **extra: str) -> requests.Response:
    """GET /authorize as a browser (Accept: text/html): the request is parked and
    answered at once with the waiting page, so no long poll is held."""
    with session_from(source_ip) as s:
        return s.get(authorize_url(server, client, redirect_uri, **extra), timeout=15,
                     allow_redirects=False,
                     headers={"Accept": "text/html,application/xhtml+xml"})


def agent_authorize(server: ServeProcess, client: dict, redirect_uri: str | None,
                    source_ip: str = "127.0.0.1", timeout: float = 5.0,
                    **extra: str) -> http.client.HTTPResponse | None:
    """GET /authorize as a non-browser agent, which the server would hold open
    until someone decides. Returns the response if one came within `timeout`,
    None if the server is holding the request (i.e. parked it and waits)."""
    parts = urlsplit(authorize_url(server, client, redirect_uri, **extra))
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout,
                                      source_address=(source_ip, 0))
    try:
        conn.request("GET", f"{parts.path}?{parts.query}", headers={"Accept": "application/json"})
        resp = conn.getresponse()
        resp.body = resp.read()
        return resp
    except TimeoutError:
        return None
    finally:
        conn.close()


def assert_503(status: int, headers, body: bytes | str | None = None, json_body: bool = True,
               what: str = "") -> None:
    """The answer to any bound being exceeded: 503, Retry-After, and (for
    non-browser agents) the RFC 6749 JSON error temporarily_unavailable."""
    text = body.decode(errors="replace") if isinstance(body, bytes) else (body or "")
    assert status == 503, f"{what}: expected 503, got {status}: {text[:300]}"
    retry = headers.get("Retry-After")
    assert retry is not None and retry.strip().isdigit() and int(retry) >= 1, \
        f"{what}: Retry-After is {retry!r}"
    if json_body:
        try:
            error = json.loads(text).get("error")
        except ValueError:
            error = None
        assert error == "temporarily_unavailable", f"{what}: body {text[:300]}"


def count_requests(ta: TermAuth, client_id: str | None = None) -> int:
    return sum(1 for r in ta.list_requests() if client_id is None or r.get("client_id") == client_id)


def wait_count(ta: TermAuth, n: int, client_id: str | None = None, timeout: float = 10) -> int:
    deadline = time.monotonic() + timeout
    got = count_requests(ta, client_id)
    while got < n and time.monotonic() < deadline:
        time.sleep(0.1)
        got = count_requests(ta, client_id)
    return got
