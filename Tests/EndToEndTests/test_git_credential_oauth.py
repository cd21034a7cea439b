"""TermAuth driven by Debian's git-credential-oauth (a Go client built on
golang.org/x/oauth2), the way Git itself would call it.

git-credential-oauth reads its settings with
`git config --get-urlmatch credential.<key> <protocol>://<host>`, so the keys
are written as `credential.http://127.0.0.1:PORT.oauthClientId` and so on, in
an isolated global config. It listens on http://127.0.0.1:<random> (no path),
prints the authorization URL on stderr and runs `open` (0.4.2) or `xdg-open`
(newer) on it, which we replace with a no-op so no real browser starts. curl
plays the browser: it long-polls /authorize and follows the 302 back to the
helper once `termauth approve` runs.
"""

from __future__ import annotations

import os
import queue
import re
import shutil
import subprocess
import threading
import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from conftest import ALICE, Server, TermAuth, unique

GCO = shutil.which("git-credential-oauth")
pytestmark = pytest.mark.skipif(
    GCO is None or shutil.which("git") is None or shutil.which("curl") is None,
    reason="needs git-credential-oauth, git and curl")

HELPER_TIMEOUT = 90.0


# --------------------------------------------------------------------------
# an isolated git environment


@pytest.fixture
def git_env(workdir) -> dict:
    home = workdir / unique("git-home")
    fakebin = home / "bin"
    fakebin.mkdir(parents=True)
    # 0.4.2 runs `open URL` (newer releases `xdg-open URL`) and exits with a
    # fatal error if that fails, which it does on a headless host (Debian's
    # /usr/bin/open exits 3). A no-op opener that records the URL avoids both.
    for name in ("open", "xdg-open"):
        opener = fakebin / name
        opener.write_text('#!/bin/sh\nprintf "%s\\n" "$*" >> "$HOME/opened.log"\nexit 0\n')
        opener.chmod(0o755)

    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "BROWSER", "GIT_DIR",
                        "GIT_CONFIG", "GIT_CONFIG_PARAMETERS", "GIT_CONFIG_COUNT")}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"),
               GIT_CONFIG_GLOBAL=str(home / ".gitconfig"), GIT_CONFIG_NOSYSTEM="1",
               GIT_TERMINAL_PROMPT="0", PATH=f"{fakebin}{os.pathsep}{env.get('PATH', '')}")
    return env


def configure(env: dict, server: Server, client: dict, scopes: str = "profile") -> str:
    """Point git-credential-oauth at TermAuth for this server's URL only."""
    url = f"http://{server.host_port}"
    settings = {
        "oauthClientId": client["client_id"],
        "oauthScopes": scopes,
        # Paths: git-credential-oauth resolves them against protocol://host.
        "oauthAuthURL": "/authorize",
        "oauthTokenURL": "/token",
    }
    if client.get("client_secret"):
        settings["oauthClientSecret"] = client["client_secret"]
    for key, value in settings.items():
        subprocess.run(["git", "config", "--global", f"credential.{url}.{key}", value],
                       env=env, check=True, capture_output=True, text=True)
    probe = subprocess.run(["git", "config", "--get-urlmatch", "credential.oauthClientId", url],
                           env=env, capture_output=True, text=True)
    assert probe.stdout.strip() == client["client_id"], (
        f"git does not resolve the client id for {url}: {probe.stdout!r} {probe.stderr!r}")
    return url


# --------------------------------------------------------------------------
# running the helper


class Helper:
    """`git-credential-oauth get`, with stdout and stderr pumped by threads so
    the test can read the authorization URL while the helper keeps waiting."""

    def __init__(self, env: dict, request: str):
        self.proc = subprocess.Popen(
            [GCO, "-verbose", "get"], env=env, text=True,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.stdout: list[str] = []
        self.stderr: list[str] = []
        self._err_lines: queue.Queue = queue.Queue()
        for stream, sink, q in ((self.proc.stdout, self.stdout, None),
                                (self.proc.stderr, self.stderr, self._err_lines)):
            threading.Thread(target=self._pump, args=(stream, sink, q), daemon=True).start()
        # It reads stdin to EOF before doing anything, as Git's protocol allows.
        self.proc.stdin.write(request)
        self.proc.stdin.close()

    @staticmethod
    def _pump(stream, sink, q):
        for line in iter(stream.readline, ""):
            sink.append(line)
            if q is not None:
                q.put(line)
        if q is not None:
            q.put(None)

    def transcript(self) -> str:
        return (f"exit code: {self.proc.poll()}\nstdout:\n{''.join(self.stdout)}"
                f"\nstderr:\n{''.join(self.stderr)}")

    def wait_for_auth_url(self, server: Server, timeout: float = 30.0) -> str:
        pattern = re.compile(re.escape(server.url("/authorize")) + r"\?\S+")
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                line = self._err_lines.get(timeout=remaining)
            except queue.Empty:
                break
            if line is None:
                break
            match = pattern.search(line)
            if match:
                return match.group(0)
        self.kill()
        pytest.fail("git-credential-oauth printed no authorization URL\n" + self.transcript())

    def early_exit(self) -> str | None:
        if self.proc.poll() is None:
            return None
        return "git-credential-oauth exited early\n" + self.transcript()

    def finish(self, timeout: float = HELPER_TIMEOUT) -> dict:
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            pytest.fail(f"git-credential-oauth still running after {timeout:.0f} s\n"
                        + self.transcript())
        time.sleep(0.1)  # let the pump threads drain the last lines
        assert self.proc.returncode == 0, self.transcript()
        pairs = {}
        for line in self.stdout:
            key, sep, value = line.rstrip("\n").partition("=")
            if sep:
                pairs[key] = value
        return pairs

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


def credential_request(server: Server, **extra: str) -> str:
    lines = ["protocol=http", f"host={server.host_port}"]
    lines += [f"{k}={v}" for k, v in extra.items()]
    return "\n".join(lines) + "\n\n"


def obtain_credentials(server: Server, termauth: TermAuth, env: dict, client: dict) -> dict:
    """One full interactive run: helper → curl as the browser → approve."""
    helper = Helper(env, credential_request(server))
    browser = None
    try:
        auth_url = helper.wait_for_auth_url(server)
        params = {k: v[0] for k, v in parse_qs(urlsplit(auth_url).query).items()}
        assert params.get("client_id") == client["client_id"], params
        assert params.get("code_challenge_method") == "S256", params
        assert params.get("redirect_uri", "").startswith("http://127.0.0.1:"), params

        browser = subprocess.Popen(
            ["curl", "-sS", "-L", "--max-time", "120", "-o", os.devnull,
             "-w", "%{http_code} %{url_effective}", auth_url],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

        def stuck():
            if browser.poll() is not None:
                return f"curl finished before approval: {browser.communicate()}"
            return helper.early_exit()

        entry = termauth.wait_for_request(client["client_id"], stop_if=stuck)
        assert entry["redirect_uri"] == params["redirect_uri"], entry
        termauth.approve(entry["approval_code"])

        creds = helper.finish()
        out, err = browser.communicate(timeout=60)
        assert browser.returncode == 0, f"curl failed ({browser.returncode}): {err}"
        status, _, landed = out.partition(" ")
        assert status == "200" and landed.startswith(params["redirect_uri"]), out
        return creds
    finally:
        helper.kill()
        if browser is not None and browser.poll() is None:
            browser.kill()
            browser.wait(10)


def assert_token_works(server: Server, token: str) -> None:
    resp = requests.get(server.url("/resource"), timeout=30,
                        headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 200, f"HTTP {resp.status_code}: {resp.text[:300]}"
    assert resp.json()["username"] == ALICE


# --------------------------------------------------------------------------
# tests


@pytest.fixture
def git_client(seeded) -> dict:
    # Registered without a port: RFC 8252 §7.3 loopback, any port matches.
    return seeded.add_client(
        unique("git-credential-oauth"), redirect_uris=["http://127.0.0.1"],
        grants=["authorization_code", "refresh_token"], scopes=["profile"])


def test_git_credential_oauth_gets_a_working_token(server, seeded, git_env, git_client):
    configure(git_env, server, git_client)
    creds = obtain_credentials(server, seeded, git_env, git_client)
    assert creds.get("password"), creds
    # No username was given, so the helper supplies GitLab's convention.
    assert creds.get("username") == "oauth2", creds
    # Debian's 0.4.2 prints neither oauth_refresh_token nor
    # password_expiry_utc; newer releases print both.
    if "password_expiry_utc" in creds:
        assert int(creds["password_expiry_utc"]) > time.time()
    assert_token_works(server, creds["password"])


def test_git_credential_oauth_refreshes_without_a_browser(server, seeded, git_env, git_client):
    configure(git_env, server, git_client)
    first = obtain_credentials(server, seeded, git_env, git_client)
    if not first.get("oauth_refresh_token"):
        pytest.skip("this git-credential-oauth does not hand out refresh tokens "
                    "(added after Debian's 0.4.2)")

    # Git hands the stored refresh token back; no authorization URL expected.
    helper = Helper(git_env, credential_request(
        server, username="oauth2", oauth_refresh_token=first["oauth_refresh_token"]))
    try:
        creds = helper.finish(timeout=30)
    finally:
        helper.kill()
    stderr = "".join(helper.stderr)
    assert "error during OAuth token refresh" not in stderr, helper.transcript()
    assert "/authorize?" not in stderr, "fell back to the browser flow\n" + helper.transcript()
    assert creds.get("password") and creds["password"] != first["password"], creds
    assert creds.get("oauth_refresh_token") not in (None, "", first["oauth_refresh_token"]), \
        "refresh token was not rotated"
    assert_token_works(server, creds["password"])


def test_git_credential_oauth_as_public_client(server, seeded, git_env):
    # No secret: golang.org/x/oauth2 first sends Basic with an empty password,
    # then retries with client_id in the body. Either must end in a token, and
    # the first failure must not burn the authorization code.
    client = seeded.add_client(
        unique("git-public"), public=True, redirect_uris=["http://127.0.0.1"],
        grants=["authorization_code", "refresh_token"], scopes=["profile"])
    configure(git_env, server, client)
    creds = obtain_credentials(server, seeded, git_env, client)
    assert creds.get("password"), creds
    assert_token_works(server, creds["password"])
