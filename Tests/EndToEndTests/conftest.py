"""Black-box fixtures for TermAuth end-to-end tests.

Everything here talks to the `termauth` binary only through its command-line
contract and its HTTP endpoints, so the tests hold for any implementation.

Run:  TERMAUTH_BIN=.build/debug/termauth python -m pytest Tests/EndToEndTests -v
"""

from __future__ import annotations

import json
import os
import queue
import re
import secrets
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

REPO = Path(__file__).resolve().parents[2]
DEFAULT_BIN = REPO / ".build" / "debug" / "termauth"

# Debug builds hash passwords slowly; a low work factor keeps `user add` and
# `approve` fast. The value is far below anything acceptable in production.
# Every test of a session reaches the shared server from 127.0.0.1 and types codes from this
# account, so the per-source bounds are raised out of the way here; the tests of those bounds
# (test_hardening_*.py) run servers of their own with small ones.
TEST_CONFIG = """\
[security]
password_hash_rounds = 1000
max_failed_logins_per_source = 100000
max_wrong_codes = 1000

[limits]
parked_per_client = 100000
parked_per_source = 100000
long_polls_per_source = 500
"""

ALICE = "alice"
ALICE_PASSWORD = "correct horse battery staple"

SERVER_START_TIMEOUT = 60.0
REQUEST_APPEAR_TIMEOUT = 30.0

# Set by the `server` fixture so failure reports can include the server log.
_SERVER_LOG: Path | None = None


def unique(prefix: str) -> str:
    """A name no other test uses; the whole session shares one database."""
    return f"{prefix}-{secrets.token_hex(4)}"


# --------------------------------------------------------------------------
# The binary


class TermAuthError(AssertionError):
    pass


@dataclass
class TermAuth:
    binary: Path
    db: Path
    config: Path
    env: dict = field(default_factory=dict)

    def run(self, *args: str, input: str | None = None, check: bool = True,
            timeout: float = 60.0) -> subprocess.CompletedProcess:
        # --db/--config go last: they are options of the leaf subcommand, and
        # appending them never splits a subcommand path such as `scope add`.
        argv = [str(self.binary), *args, "--db", str(self.db),
                "--config", str(self.config)]
        # A session of its own: no controlling terminal, so `approve` never stops to ask
        # on the tty of whoever runs the tests.
        proc = subprocess.run(argv, input=input, capture_output=True, text=True, timeout=timeout,
                              env=self.env, start_new_session=True)
        if check and proc.returncode != 0:
            raise TermAuthError(
                f"`termauth {' '.join(args)}` exited {proc.returncode}\n"
                f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}")
        return proc

    __call__ = run

    def json(self, *args: str, input: str | None = None):
        proc = self.run(*args, input=input)
        try:
            return json.loads(proc.stdout)
        except json.JSONDecodeError as exc:
            raise TermAuthError(
                f"`termauth {' '.join(args)}` did not print JSON: {exc}\n"
                f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}") from None

    # Contract helpers -----------------------------------------------------

    def add_scope(self, name: str, description: str, required: bool = False):
        args = ["scope", "add", name, "--description", description]
        if required:
            args.append("--required")
        proc = self.run(*args, check=False)
        # Tolerate a server that seeds well-known scopes such as `profile`.
        if proc.returncode != 0 and "exist" not in (proc.stderr + proc.stdout).lower():
            raise TermAuthError(f"scope add {name} failed:\n{proc.stderr}")

    def add_user(self, username: str, password: str, display_name: str | None = None):
        args = ["user", "add", username, "--password-stdin"]
        if display_name:
            args += ["--display-name", display_name]
        self.run(*args, input=password + "\n")

    def add_client(self, name: str, redirect_uris=(), grants=(), scopes=(),
                   public: bool = False, client_id: str | None = None,
                   introspect: bool | None = None, id_token_alg: str | None = None,
                   access_token_format: str | None = None, resources=()) -> dict:
        args = ["client", "add", "--name", name]
        # Most tests check their tokens at /introspect with the client they hold, so a
        # confidential client may introspect unless the test says otherwise.
        if introspect or (introspect is None and not public):
            args.append("--introspect")
        if client_id:
            args += ["--id", client_id]
        if public:
            args.append("--public")
        for uri in redirect_uris:
            args += ["--redirect-uri", uri]
        for grant in grants:
            args += ["--grant", grant]
        for scope in scopes:
            args += ["--scope", scope]
        if id_token_alg:
            args += ["--id-token-alg", id_token_alg]
        if access_token_format:
            args += ["--access-token-format", access_token_format]
        for resource in resources:
            args += ["--resource", resource]
        args.append("--json")
        out = self.json(*args)
        assert isinstance(out, dict) and out.get("client_id"), out
        if public:
            assert "client_secret" not in out, f"public client got a secret: {out}"
        else:
            assert out.get("client_secret"), f"confidential client without secret: {out}"
        return out

    def list_requests(self) -> list:
        out = self.json("requests", "list", "--json")
        assert isinstance(out, list), f"requests list --json is not an array: {out!r}"
        return out

    def wait_for_request(self, client_id: str, timeout: float = REQUEST_APPEAR_TIMEOUT,
                         exclude=(), stop_if=None) -> dict:
        """Poll until a parked request for `client_id` appears; return the entry.

        `stop_if()` may return a reason string to give up early, e.g. when the
        user agent already got an answer and so nothing will ever be parked."""
        deadline = time.monotonic() + timeout
        seen: list = []
        while time.monotonic() < deadline:
            seen = self.list_requests()
            for entry in seen:
                if (entry.get("client_id") == client_id
                        and entry.get("approval_code") not in exclude):
                    return entry
            reason = stop_if() if stop_if else None
            if reason:
                raise TermAuthError(f"no parked request for client {client_id}: {reason}")
            time.sleep(0.2)
        raise TermAuthError(
            f"no parked request for client {client_id} after {timeout:.0f} s; "
            f"last list: {seen!r}")

    def wait_for_approval_code(self, client_id: str, **kw) -> str:
        return self.wait_for_request(client_id, **kw)["approval_code"]

    def approve(self, code: str, *extra: str, user: str = ALICE,
                password: str = ALICE_PASSWORD,
                check: bool = True) -> subprocess.CompletedProcess:
        # No terminal to confirm on here: --yes approves (it reads the summary on stderr).
        confirm = () if "--deny" in extra else ("--yes",)
        return self.run("approve", code, "--user", user, "--password-stdin", *confirm, *extra,
                        input=password + "\n", check=check)


@pytest.fixture(scope="session")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("termauth")


@pytest.fixture(scope="session")
def termauth(workdir) -> TermAuth:
    binary = Path(os.environ.get("TERMAUTH_BIN", DEFAULT_BIN))
    if not (binary.is_file() and os.access(binary, os.X_OK)):
        pytest.fail(f"termauth binary not found at {binary}; build it "
                    f"(swift build --product termauth) or set TERMAUTH_BIN",
                    pytrace=False)
    config = workdir / "termauth.toml"
    config.write_text(TEST_CONFIG)
    env = dict(os.environ)
    env.pop("TERMAUTH_DB", None)  # --db must win; don't let the caller's DB leak in
    env.setdefault("NO_COLOR", "1")
    return TermAuth(binary=binary.resolve(), db=workdir / "termauth.sqlite3",
                    config=config, env=env)


@pytest.fixture(scope="session")
def seeded(termauth) -> TermAuth:
    """Scopes and the user every flow test needs, created before the server
    starts so the server never races the CLI on a brand-new database."""
    termauth.add_scope("profile", "Read your username and display name")
    termauth.add_scope("email", "Read your email address")
    termauth.add_user(ALICE, ALICE_PASSWORD, display_name="Alice Example")
    return termauth


# --------------------------------------------------------------------------
# The server


@dataclass
class Server:
    base_url: str
    process: subprocess.Popen
    log_path: Path

    def url(self, path: str) -> str:
        return self.base_url + path

    @property
    def port(self) -> int:
        return urlsplit(self.base_url).port

    @property
    def host_port(self) -> str:
        return urlsplit(self.base_url).netloc


def _log_tail(path: Path | None, lines: int = 60) -> str:
    if path is None or not path.exists():
        return "(no server log)"
    text = path.read_text(errors="replace").splitlines()
    return "\n".join(text[-lines:])


def _read_first_line(stream, timeout: float) -> str | None:
    """readline() with a deadline; the reader thread keeps draining stdout
    afterwards so a chatty server never blocks on a full pipe."""
    lines: queue.Queue = queue.Queue()

    def pump():
        for line in iter(stream.readline, ""):
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, name="serve-stdout", daemon=True).start()
    try:
        return lines.get(timeout=timeout)
    except queue.Empty:
        return None


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def server(seeded, workdir) -> Server:
    global _SERVER_LOG
    log_path = workdir / "server.log"
    _SERVER_LOG = log_path
    argv = [str(seeded.binary), "serve", "--db", str(seeded.db),
            "--config", str(seeded.config), "--host", "127.0.0.1", "--port", "0"]
    with open(log_path, "w") as log:
        process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=log,
                                   stdin=subprocess.DEVNULL, text=True,
                                   env=seeded.env)
    try:
        first = _read_first_line(process.stdout, SERVER_START_TIMEOUT)
        match = re.search(r"listening on (http://\S+)", first or "")
        if not match:
            _stop(process)
            pytest.fail(f"`termauth serve` did not print `listening on http://...` "
                        f"(waited up to {SERVER_START_TIMEOUT:.0f} s; first stdout line: "
                        f"{first!r}; exit code: {process.poll()})\n{_log_tail(log_path)}",
                        pytrace=False)
        srv = Server(base_url=match.group(1).rstrip("/"), process=process,
                     log_path=log_path)
        _wait_healthy(srv)
        yield srv
    finally:
        _stop(process)


def _wait_healthy(srv: Server, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        if srv.process.poll() is not None:
            break
        try:
            last = requests.get(srv.url("/healthz"), timeout=2)
            if last.status_code == 200:
                return
        except requests.RequestException as exc:
            last = exc
        time.sleep(0.1)
    pytest.fail(f"/healthz never answered 200 (last: {last!r})\n"
                f"{_log_tail(srv.log_path)}", pytrace=False)


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "measurement: prints figures (and writes them to $TERMAUTH_MEASUREMENTS); "
        "quick enough to run with the suite")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed and _SERVER_LOG is not None:
        report.sections.append(("termauth serve log (tail)", _log_tail(_SERVER_LOG)))


# --------------------------------------------------------------------------
# A loopback redirect receiver (RFC 8252 §7.3), standing in for a native app.


class Loopback:
    """Serves GET on 127.0.0.1:<random>; records the first callback's query."""

    def __init__(self, path: str = "/callback", body: bytes = b"received; you may close this window\n",
                 content_type: str = "text/plain"):
        self.path = path
        self.received = threading.Event()
        self.query: dict[str, str] = {}
        self.raw_url: str | None = None
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server API)
                parts = urlsplit(self.path)
                if parts.path != outer.path:
                    self.send_error(404)
                    return
                if not outer.received.is_set():
                    outer.raw_url = f"http://127.0.0.1:{outer.port}{self.path}"
                    outer.query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                    outer.received.set()
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = HTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.redirect_uri = f"http://127.0.0.1:{self.port}{path}"
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       name="loopback", daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()

    def wait(self, timeout: float = 30.0) -> dict:
        if not self.received.wait(timeout):
            raise AssertionError(f"loopback {self.redirect_uri} got no callback "
                                 f"within {timeout:.0f} s")
        return self.query


@pytest.fixture
def loopback():
    with Loopback("/callback") as lb:
        yield lb


# --------------------------------------------------------------------------
# A user agent that waits on /authorize in the background.


class BackgroundGet:
    """GET a URL in a thread. /authorize holds non-browser agents open until
    someone approves, so the test must approve while this is in flight."""

    def __init__(self, url: str, timeout: float = 120.0, **kw):
        self.url = url
        self.response: requests.Response | None = None
        self.error: BaseException | None = None
        self._kw = {"allow_redirects": True, "timeout": (10, timeout), **kw}
        self._thread = threading.Thread(target=self._run, name="user-agent", daemon=True)

    def _run(self):
        try:
            self.response = requests.get(self.url, **self._kw)
        except BaseException as exc:  # surfaced in join()
            self.error = exc

    def start(self) -> "BackgroundGet":
        self._thread.start()
        return self

    def early_answer(self) -> str | None:
        """Why waiting for a parked request is pointless, if it is."""
        if self._thread.is_alive():
            return None
        if self.error is not None:
            return f"GET /authorize failed: {self.error!r}"
        r = self.response
        return (f"GET /authorize answered before approval: HTTP {r.status_code} "
                f"at {r.url}\n{r.text[:500]}")

    def join(self, timeout: float = 60.0) -> requests.Response:
        self._thread.join(timeout)
        if self._thread.is_alive():
            raise AssertionError(f"GET {self.url} still waiting after {timeout:.0f} s")
        if self.error is not None:
            raise AssertionError(f"GET {self.url} failed: {self.error!r}")
        return self.response
