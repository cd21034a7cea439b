"""Hostile input (issue 7): property-based fuzzing of every HTTP operation from the
OpenAPI document in Sources/TermAuthServer/OpenAPI/openapi.json, with schemathesis.

The module starts its own `termauth serve` on its own database, so nothing the fuzzer
does (locked accounts, revoked tokens, thousands of parked requests) leaks into the
other end-to-end tests. It registers the scopes `profile` and `email`, the user `alice`
(with an email address) and the confidential client `my-app` with every grant and the
scopes openid, profile and email (the document's example values, so generated requests
get past "unknown client" into the real validation), then runs schemathesis twice
against the document:

* "authenticated": HTTP Basic with my-app's real secret on the form endpoints, a real
  access token of alice's (scopes openid profile email) on /resource and /userinfo, and
  `Accept: text/html` on /authorize.
* "anonymous": no credentials configured (schemathesis makes up Authorization headers
  itself) and no Accept header, so /authorize takes the non-browser path.

/authorize and long polls: without `Accept: text/html`, a *valid* authorization
request is held open until a person decides it (up to 10 minutes). Rather than hiding
that path from the fuzzer, a background "decider" plays the person: it watches
`termauth requests list` and approves or denies (alternately) every parked
authorization request as the user `fuzz-decider`, whose name appears nowhere in the
document, so the fuzzer cannot lock that account. A long poll therefore ends within
about a second in the 302 to the client, and a request that is not answered within
REQUEST_TIMEOUT seconds is a real hang and fails the test (schemathesis reports it as
an error). The browser path (authenticated run) answers at once with the waiting page.

The only check is "no 5xx" (schemathesis' not_a_server_error, plus an independent scan
of the HAR recording of every request and response). Afterwards the server process must
still be alive and /healthz must answer 200. Time is bounded by schemathesis' max-time
per run (25 s each by default, TERMAUTH_FUZZ_SECONDS), with a hard subprocess timeout on top.

Run alone:
    TERMAUTH_BIN=.build/debug/termauth .build-venv/bin/python -m pytest \
        Tests/EndToEndTests/test_fuzz_openapi.py -v -s
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from conftest import (ALICE, ALICE_PASSWORD, REPO, TEST_CONFIG, Server, TermAuth,
                      _log_tail, _read_first_line, _stop)

SPEC_PATH = REPO / "Sources" / "TermAuthServer" / "OpenAPI" / "openapi.json"

# The document's example values: generated requests reach the real checks with them.
CLIENT_ID = "my-app"
REDIRECT_URI = "http://127.0.0.1:5000/callback"
ALL_GRANTS = ("authorization_code", "refresh_token", "client_credentials", "password",
              "implicit", "urn:ietf:params:oauth:grant-type:device_code")

# The person who decides parked requests while the fuzzer runs; not in the document.
DECIDER = "fuzz-decider"
DECIDER_PASSWORD = "decider password, not in the document"

# Per run: schemathesis' own time budget, and the hard limit around the process.
RUN_SECONDS = int(os.environ.get("TERMAUTH_FUZZ_SECONDS", "25"))
RUN_HARD_LIMIT = RUN_SECONDS + 90
REQUEST_TIMEOUT = 20  # seconds; a long poll is decided within ~1 s, so this is a hang
WORKERS = 2


# --------------------------------------------------------------------------
# Fixtures: an isolated database and server


@pytest.fixture(scope="module")
def fuzz_termauth(tmp_path_factory) -> TermAuth:
    binary = Path(os.environ.get("TERMAUTH_BIN", REPO / ".build" / "debug" / "termauth"))
    if not (binary.is_file() and os.access(binary, os.X_OK)):
        pytest.fail(f"termauth binary not found at {binary}; build it or set TERMAUTH_BIN",
                    pytrace=False)
    workdir = tmp_path_factory.mktemp("fuzz")
    config = workdir / "termauth.toml"
    config.write_text(TEST_CONFIG)
    env = dict(os.environ)
    env.pop("TERMAUTH_DB", None)
    env.setdefault("NO_COLOR", "1")
    ta = TermAuth(binary=binary.resolve(), db=workdir / "fuzz.sqlite3", config=config, env=env)
    ta.add_scope("profile", "Read your username and display name")
    ta.add_scope("email", "Read your email address")
    # With an email address, so /userinfo has every claim to release.
    ta.run("user", "add", ALICE, "--password-stdin", "--display-name", "Alice Example",
           "--email", "alice@example.com", "--email-verified", input=ALICE_PASSWORD + "\n")
    ta.add_user(DECIDER, DECIDER_PASSWORD, display_name="Fuzz Decider")
    ta.client = ta.add_client("Fuzzed app", client_id=CLIENT_ID, redirect_uris=[REDIRECT_URI],
                              grants=ALL_GRANTS, scopes=["openid", "profile", "email"])
    ta.workdir = workdir
    return ta


@pytest.fixture(scope="module")
def fuzz_server(fuzz_termauth) -> Server:
    ta = fuzz_termauth
    log_path = ta.workdir / "server.log"
    argv = [str(ta.binary), "serve", "--db", str(ta.db), "--config", str(ta.config),
            "--host", "127.0.0.1", "--port", "0"]
    with open(log_path, "w") as log:
        process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=log,
                                   stdin=subprocess.DEVNULL, text=True, env=ta.env)
    try:
        first = _read_first_line(process.stdout, 60)
        match = re.search(r"listening on (http://\S+)", first or "")
        if not match:
            pytest.fail(f"`termauth serve` did not print `listening on http://...`: {first!r}\n"
                        f"{_log_tail(log_path)}", pytrace=False)
        srv = Server(base_url=match.group(1).rstrip("/"), process=process, log_path=log_path)
        deadline = time.monotonic() + 15
        while True:
            try:
                if requests.get(srv.url("/healthz"), timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                pytest.fail(f"/healthz never answered 200\n{_log_tail(log_path)}", pytrace=False)
            time.sleep(0.1)
        yield srv
    finally:
        _stop(process)


# --------------------------------------------------------------------------
# The person at the terminal


class Decider:
    """Approves or denies, alternately, every parked authorization request, so that a
    non-browser GET /authorize long poll ends in its redirect instead of waiting."""

    def __init__(self, ta: TermAuth):
        self.ta = ta
        self.stop = threading.Event()
        self.approved = 0
        self.denied = 0
        self.failed = 0
        self.done: set[str] = set()
        self.thread = threading.Thread(target=self._run, name="decider", daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(30)

    def _run(self):
        while not self.stop.is_set():
            try:
                parked = self.ta.list_requests()
            except Exception:  # the CLI raced the server on a busy database; try again
                parked = []
            for entry in parked:
                code = entry.get("approval_code")
                # Device requests (no redirect URI) block nobody: their device polls /token.
                if not code or code in self.done or not entry.get("redirect_uri"):
                    continue
                self.done.add(code)
                deny = (self.approved + self.denied) % 2 == 1
                proc = self.ta.run("approve", code, "--user", DECIDER, "--password-stdin",
                                   *(["--deny"] if deny else ["--yes"]),
                                   input=DECIDER_PASSWORD + "\n", check=False)
                if proc.returncode != 0:
                    self.failed += 1  # expired or answered meanwhile: nothing waits on it
                elif deny:
                    self.denied += 1
                else:
                    self.approved += 1
                if self.stop.is_set():
                    return
            self.stop.wait(0.2)


# --------------------------------------------------------------------------
# Running schemathesis


def _toml_string(value: str) -> str:
    return json.dumps(value)  # a JSON string is a valid TOML basic string


def _config(base_url: str, report_dir: Path, *, basic: tuple[str, str] | None,
            bearer: str | None, browser_authorize: bool) -> str:
    lines = [
        f"base-url = {_toml_string(base_url)}",
        f"workers = {WORKERS}",
        f"max-time = {RUN_SECONDS}",
        f"request-timeout = {REQUEST_TIMEOUT}",
        "max-redirects = 0",  # a 302 to the client's (absent) redirect URI is the answer
        "",
        "[generation]",
        'database = "none"',
        "",
        "[cache]",
        "enabled = false",
        "",
        "[output.sanitization]",
        "enabled = false",  # bug reports need the exact requests; the secrets are throwaway
        "",
        "[output.truncation]",
        "enabled = false",
        "",
        "[reports]",
        f"directory = {_toml_string(str(report_dir))}",
        "[reports.har]",
        "enabled = true",
        f"path = {_toml_string(str(report_dir / 'requests.har.json'))}",
        "[reports.json]",
        "enabled = true",
        f"path = {_toml_string(str(report_dir / 'run.json'))}",
        "",
        "[checks]",
        "enabled = false",
        "[checks.not_a_server_error]",
        "enabled = true",
    ]
    if basic:
        lines += ["", "[auth.openapi.basicAuth]",
                  f"username = {_toml_string(basic[0])}", f"password = {_toml_string(basic[1])}"]
    if bearer:
        lines += ["", "[auth.openapi.bearerAuth]", f"bearer = {_toml_string(bearer)}"]
    if browser_authorize:
        lines += ["", "[[operations]]", 'include-path = "/authorize"',
                  'headers = { Accept = "text/html" }']
    return "\n".join(lines) + "\n"


class Run:
    def __init__(self, name: str, proc: subprocess.CompletedProcess, seconds: float,
                 report_dir: Path):
        self.name = name
        self.proc = proc
        self.seconds = seconds
        self.report_dir = report_dir
        har_path = report_dir / "requests.har.json"
        json_path = report_dir / "run.json"
        self.entries = json.loads(har_path.read_text())["log"]["entries"] if har_path.exists() else []
        self.report = json.loads(json_path.read_text()) if json_path.exists() else {}

    @property
    def requests(self) -> int:
        return len(self.entries)

    def server_errors(self) -> list[dict]:
        return [e for e in self.entries if int(e.get("response", {}).get("status") or 0) >= 500]

    def unanswered(self) -> list[dict]:
        return [e for e in self.entries if not int(e.get("response", {}).get("status") or 0)]

    def status_counts(self) -> dict:
        counts: dict = {}
        for e in self.entries:
            path = urlsplit(e["request"]["url"]).path
            key = f'{e["request"]["method"]} {path} {e["response"].get("status")}'
            counts[key] = counts.get(key, 0) + 1
        return dict(sorted(counts.items()))

    def output(self) -> str:
        return (self.proc.stdout or "")[-6000:] + (self.proc.stderr or "")[-3000:]


def _run_schemathesis(name: str, base_url: str, workdir: Path, **auth) -> Run:
    report_dir = workdir / f"schemathesis-{name}"
    report_dir.mkdir(parents=True, exist_ok=True)
    config = report_dir / "schemathesis.toml"
    config.write_text(_config(base_url, report_dir, **auth))
    argv = [sys.executable, "-m", "schemathesis.cli", "--config-file", str(config), "--no-color",
            "run", str(SPEC_PATH), "--url", base_url]
    env = dict(os.environ, SCHEMATHESIS_TELEMETRY="false", NO_COLOR="1")
    start = time.monotonic()
    try:
        proc = subprocess.run(argv, cwd=report_dir, capture_output=True, text=True,
                              timeout=RUN_HARD_LIMIT, env=env)
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"schemathesis ({name}) still running after {RUN_HARD_LIMIT} s; "
                    f"a request hangs?\n{(exc.stdout or b'')[-4000:]!r}", pytrace=False)
    return Run(name, proc, time.monotonic() - start, report_dir)


def _describe(entry: dict) -> str:
    req, resp = entry["request"], entry["response"]
    headers = "\n".join(f'    {h["name"]}: {h["value"]}' for h in req.get("headers", []))
    body = (req.get("postData") or {}).get("text", "")
    rheaders = "\n".join(f'    {h["name"]}: {h["value"]}' for h in resp.get("headers", []))
    rbody = (resp.get("content") or {}).get("text", "")
    return (f'{req["method"]} {req["url"]}\n{headers}\n  body: {body[:2000]!r}\n'
            f'-> {resp.get("status")} {resp.get("statusText", "")}\n{rheaders}\n'
            f'  body: {rbody[:2000]!r}')


def _issue_access_token(server: Server, client: dict) -> str:
    # A person's token with openid: /userinfo answers it (a client's own token it refuses).
    r = requests.post(server.url("/token"), auth=(client["client_id"], client["client_secret"]),
                      data={"grant_type": "password", "username": ALICE, "password": ALICE_PASSWORD,
                            "scope": "openid profile email"}, timeout=10)
    assert r.status_code == 200, r.text
    return r.json()["access_token"]


# --------------------------------------------------------------------------
# Tests


def test_openapi_document_is_valid():
    pytest.importorskip("openapi_spec_validator",
                        reason="pip install openapi-spec-validator (Tests/setup.sh does)")
    from openapi_spec_validator import validate
    from openapi_spec_validator.readers import read_from_filename

    spec, _ = read_from_filename(str(SPEC_PATH))
    assert spec["openapi"].startswith("3.1"), spec["openapi"]
    validate(spec)  # raises with the offending path when invalid


def test_fuzz_openapi_no_server_errors(fuzz_termauth, fuzz_server):
    pytest.importorskip("schemathesis", reason="pip install schemathesis (Tests/setup.sh does)")
    ta, server = fuzz_termauth, fuzz_server
    client = ta.client
    token = _issue_access_token(server, client)
    started = time.monotonic()
    runs: list[Run] = []
    with Decider(ta) as decider:
        runs.append(_run_schemathesis(
            "authenticated", server.base_url, ta.workdir,
            basic=(client["client_id"], client["client_secret"]), bearer=token,
            browser_authorize=True))
        if server.process.poll() is None:
            runs.append(_run_schemathesis(
                "anonymous", server.base_url, ta.workdir,
                basic=None, bearer=None, browser_authorize=False))
    elapsed = time.monotonic() - started

    summary = [f"fuzzing took {elapsed:.1f} s; decider approved {decider.approved}, "
               f"denied {decider.denied}, missed {decider.failed}"]
    for run in runs:
        cases = run.report.get("test_cases", {})
        summary.append(f"[{run.name}] {run.requests} requests in {run.seconds:.1f} s, "
                       f"schemathesis exit {run.proc.returncode}, "
                       f"{cases.get('generated', '?')} test cases generated")
        summary += [f"    {k}: {v}" for k, v in run.status_counts().items()]
    print("\n".join(summary))

    # The server survived everything and still answers.
    assert server.process.poll() is None, (
        f"termauth serve exited with {server.process.returncode} during fuzzing\n"
        + "\n".join(summary) + "\n" + _log_tail(server.log_path))
    health = requests.get(server.url("/healthz"), timeout=5)
    assert health.status_code == 200, f"/healthz after fuzzing: {health.status_code} {health.text!r}"

    problems = []
    for run in runs:
        for entry in run.server_errors():
            problems.append(f"[{run.name}] server error:\n{_describe(entry)}")
        for entry in run.unanswered():
            problems.append(f"[{run.name}] no response:\n{_describe(entry)}")
        for error in run.report.get("errors", []) or []:
            problems.append(f"[{run.name}] schemathesis error: {json.dumps(error)[:3000]}")
        for failure in run.report.get("failures", []) or []:
            problems.append(f"[{run.name}] schemathesis failure: {json.dumps(failure)[:3000]}")
        if run.proc.returncode != 0 and not problems:
            problems.append(f"[{run.name}] schemathesis exited {run.proc.returncode}:\n{run.output()}")
        if not run.entries:
            problems.append(f"[{run.name}] schemathesis sent no requests:\n{run.output()}")
    assert not problems, "\n\n".join(summary + problems[:40])


def test_served_openapi_matches_repo(fuzz_server):
    """The server embeds this exact document at build time and serves it."""
    r = requests.get(fuzz_server.url("/openapi.json"), timeout=10)
    assert r.status_code == 200, f"GET /openapi.json: {r.status_code} {r.text[:200]!r}"
    assert r.headers.get("Content-Type", "").split(";")[0].strip() == "application/json", r.headers
    assert r.json() == json.loads(SPEC_PATH.read_text())


def test_continue_with_device_code_handle_is_not_a_server_error(fuzz_termauth, fuzz_server):
    """Hostile input the fuzzer cannot construct by itself: a device_code is also a
    request handle, so it can be handed to /authorize/continue. Once the device request
    is decided, that must be an ordinary answer, not a 500."""
    ta, server = fuzz_termauth, fuzz_server
    client = ta.client
    r = requests.post(server.url("/device_authorization"),
                      auth=(client["client_id"], client["client_secret"]),
                      data={"scope": "profile"}, timeout=10)
    assert r.status_code == 200, r.text
    device = r.json()
    ta.run("approve", device["user_code"], "--user", DECIDER, "--password-stdin", "--yes",
           input=DECIDER_PASSWORD + "\n")
    r = requests.get(server.url("/authorize/continue"), params={"handle": device["device_code"]},
                     headers={"Accept": "text/html"}, allow_redirects=False, timeout=10)
    assert r.status_code < 500, f"GET /authorize/continue?handle=<decided device_code>: {r.status_code}"
    assert server.process.poll() is None


@pytest.mark.parametrize("path,body", [
    ("/token", b"grant_type=client_credentials"),
    ("/authorize", b"client_id=my-app&response_type=code"),
    ("/userinfo", b"access_token=abc"),
    ("/introspect", b"token=abc"),
])
def test_truncated_form_body_is_a_client_error(fuzz_server, path, body):
    """Hostile input below what an HTTP library sends: a body shorter than its
    Content-Length, the client's write side then closed, at every endpoint that reads a
    form. That is the client's fault (400), not an internal error."""
    import socket

    host, port = urlsplit(fuzz_server.base_url).hostname, urlsplit(fuzz_server.base_url).port
    with socket.create_connection((host, port), timeout=10) as s:
        s.sendall(b"POST " + path.encode() + b" HTTP/1.1\r\nHost: termauth\r\n"
                  b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\n" + body)
        s.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := s.recv(65536):
            answer += chunk
    status_line = answer.split(b"\r\n", 1)[0].decode(errors="replace")
    assert status_line.startswith("HTTP/1.1 4"), f"truncated body answered: {answer[:400]!r}"
    assert fuzz_server.process.poll() is None
