"""A `termauth serve` process a test owns: its own database, its own log file,
and the power to kill it hard (SIGKILL) and start it again on the same files.

The session-wide `server` fixture in conftest.py is shared by every test and
must never die, so the crash, race and log tests here run private servers.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import re
import secrets
import signal
import sqlite3
import subprocess
import time
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import requests

from conftest import (ALICE, ALICE_PASSWORD, SERVER_START_TIMEOUT, TEST_CONFIG, BackgroundGet,
                      TermAuth, _read_first_line)

# TEST_CONFIG plus a one-second device poll interval (the least allowed), so
# device tests spend seconds, not minutes, polling.
PRIVATE_CONFIG = TEST_CONFIG + """
[lifetimes]
device_poll_interval = 1
"""

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


def private_termauth(termauth: TermAuth, directory: Path) -> TermAuth:
    """The session's binary and environment over a brand-new database."""
    directory.mkdir(parents=True, exist_ok=True)
    config = directory / "termauth.toml"
    config.write_text(PRIVATE_CONFIG)
    instance = dataclasses.replace(termauth, db=directory / "termauth.sqlite3", config=config)
    instance.add_scope("profile", "Read your username and display name")
    instance.add_user(ALICE, ALICE_PASSWORD, display_name="Alice Example")
    return instance


class ServeProcess:
    """`termauth serve --port 0` on `termauth.db`; stderr goes to `log_path`
    (appended, so one file holds every run's log across restarts)."""

    def __init__(self, termauth: TermAuth, log_path: Path, log_level: str | None = None,
                 extra_args: tuple | list = ()):
        self.termauth = termauth
        self.log_path = log_path
        self.log_level = log_level
        self.extra_args = list(extra_args)
        self.process: subprocess.Popen | None = None
        self.base_url = ""

    def url(self, path: str) -> str:
        return self.base_url + path

    def start(self) -> "ServeProcess":
        t = self.termauth
        argv = [str(t.binary), "serve", "--db", str(t.db), "--config", str(t.config),
                "--host", "127.0.0.1", "--port", "0"]
        if self.log_level:
            argv += ["--log-level", self.log_level]
        argv += self.extra_args
        with open(self.log_path, "a") as log:
            self.process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=log,
                                            stdin=subprocess.DEVNULL, text=True, env=t.env)
        first = _read_first_line(self.process.stdout, SERVER_START_TIMEOUT)
        match = re.search(r"listening on (http://\S+)", first or "")
        if not match:
            self.stop()
            raise AssertionError(f"serve did not start (first line {first!r}):\n"
                                 f"{self.log_path.read_text(errors='replace')[-3000:]}")
        self.base_url = match.group(1).rstrip("/")
        return self.wait_healthy()

    def wait_healthy(self) -> "ServeProcess":
        """Until /healthz answers 200 (15 s at most; then the server is stopped)."""
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                if requests.get(self.url("/healthz"), timeout=2).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.05)
        self.stop()
        raise AssertionError("/healthz never answered 200")

    def kill(self) -> None:
        """SIGKILL: no shutdown hooks, no flush; what a crash or the OOM killer does."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def __enter__(self) -> "ServeProcess":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def integrity_check(db: Path) -> str:
    """SQLite's own full consistency check, run from outside the server."""
    conn = sqlite3.connect(str(db), timeout=10)
    try:
        return "; ".join(row[0] for row in conn.execute("PRAGMA integrity_check"))
    finally:
        conn.close()


def introspect(server: ServeProcess, auth: tuple, token: str,
               session: requests.Session | None = None) -> dict:
    r = (session or requests).post(server.url("/introspect"), data={"token": token},
                                   auth=auth, timeout=30)
    assert r.status_code == 200, f"/introspect answered {r.status_code}: {r.text[:300]}"
    return r.json()


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def authorization_code(server: ServeProcess, termauth: TermAuth, client: dict,
                       redirect_uri: str, scope: str = "profile") -> dict:
    """The real front channel: a user agent waits on GET /authorize, the
    person approves with `termauth approve`, the 302 carries the code.
    Returns code, verifier, redirect_uri and the approval code used."""
    verifier, challenge = pkce_pair()
    state = secrets.token_urlsafe(16)
    query = urlencode({"response_type": "code", "client_id": client["client_id"],
                       "redirect_uri": redirect_uri, "scope": scope, "state": state,
                       "code_challenge": challenge, "code_challenge_method": "S256"})
    agent = BackgroundGet(f"{server.base_url}/authorize?{query}", allow_redirects=False).start()
    approval = termauth.wait_for_approval_code(client["client_id"], stop_if=agent.early_answer)
    termauth.approve(approval)
    answer = agent.join()
    assert answer.status_code == 302, f"/authorize answered {answer.status_code}: {answer.text[:300]}"
    location = answer.headers["Location"]
    got = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    assert got.get("state") == state and got.get("code"), location
    return {"code": got["code"], "verifier": verifier, "redirect_uri": redirect_uri,
            "approval_code": approval, "location": location}
