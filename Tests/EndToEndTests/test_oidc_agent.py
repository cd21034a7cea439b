"""TermAuth driven by Debian's oidc-agent 4.2.6, the way a person at a shell would use it.

Everything oidc-agent knows lives in a throw-away directory: its own HOME, OIDC_CONFIG_DIR,
TMPDIR and socket, and an agent process started by the test (`oidc-agent -d`, in a process
group of its own) and stopped by it. `oidc-gen` runs unattended: every answer it would ask
for is a flag, the encryption password comes from `--pw-cmd`, and `--confirm-default`
answers the rest.

oidc-agent reaches TermAuth through a small recording proxy: the server announces the
proxy's address as its issuer (`serve --issuer`), so discovery sends every request there,
and the proxy hands each one on byte for byte and keeps a copy. The tests read that copy to
see what oidc-agent really sent (HTTP Basic with an empty password for a public client,
spaces left unencoded in form bodies) next to what the server answered.

    device flow      oidc-gen --flow=device; approved in `termauth device CODE` under tmux,
                     or headless with `termauth approve CODE --yes`
    code flow        oidc-gen --flow=code --no-url-call --no-webserver prints the URL; a
                     non-browser GET waits on /authorize, `termauth approve` decides, and
                     the 302's Location goes to `oidc-gen --codeExchange=...`
    refresh          a server whose access tokens live 4 s: oidc-token refreshes by itself
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import queue
import random
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import requests

from conftest import ALICE, ALICE_PASSWORD, TEST_CONFIG, BackgroundGet, TermAuth, unique
from server_process import DEVICE_GRANT, ServeProcess
from tmux_driver import TmuxSession

TOOLS = ("oidc-agent", "oidc-gen", "oidc-token", "oidc-add")
pytestmark = pytest.mark.skipif(any(shutil.which(t) is None for t in TOOLS),
                                reason="needs Debian's oidc-agent (oidc-agent, oidc-gen, oidc-token)")

ALICE_EMAIL = "alice@example.com"
# The scopes oidc-agent asks for (it adds `openid offline_access` on its own anyway).
SCOPES = "openid profile email offline_access"
ENV = {"LANG": "C.UTF-8", "TERM": "xterm-256color"}
GEN_TIMEOUT = 60.0


# --------------------------------------------------------------------------
# A recording proxy in front of the server


@dataclass
class Exchange:
    method: str
    path: str
    headers: dict
    body: bytes
    status: int
    response: bytes

    def form(self) -> dict:
        return {k: v[0] for k, v in parse_qs(self.body.decode(errors="replace")).items()}

    def basic(self) -> tuple[str, str] | None:
        """(user, password) of an HTTP Basic Authorization header, else None."""
        value = self.headers.get("authorization", "")
        scheme, _, blob = value.partition(" ")
        if scheme.lower() != "basic":
            return None
        user, sep, password = base64.b64decode(blob).decode().partition(":")
        assert sep, f"Basic credentials without a colon: {value!r}"
        return user, password


class RecordingProxy:
    """Forwards every request to `upstream` as it came and records the exchange. HTTP/1.0
    towards the client: one request per connection, answers with a Content-Length."""

    HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade",
           "proxy-connection", "proxy-authorization"}

    def __init__(self):
        self.upstream: tuple[str, int] | None = None
        self.exchanges: list[Exchange] = []
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _forward(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                headers = {k: v for k, v in self.headers.items() if k.lower() not in outer.HOP}
                conn = http.client.HTTPConnection(*outer.upstream, timeout=180)
                try:
                    conn.request(self.command, self.path, body=body or None, headers=headers)
                    answer = conn.getresponse()
                    payload = answer.read()
                    reply_headers = [(k, v) for k, v in answer.getheaders()
                                     if k.lower() not in outer.HOP and k.lower() != "content-length"]
                    status, reason = answer.status, answer.reason
                finally:
                    conn.close()
                with outer.lock:
                    outer.exchanges.append(Exchange(
                        self.command, self.path, {k.lower(): v for k, v in self.headers.items()},
                        body, status, payload))
                self.send_response(status, reason)
                for k, v in reply_headers:
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = _forward

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self.httpd.serve_forever, name="oidc-proxy", daemon=True).start()

    def token_requests(self, client_id: str | None = None, grant_type: str | None = None) -> list[Exchange]:
        with self.lock:
            found = [e for e in self.exchanges if e.method == "POST" and urlsplit(e.path).path == "/token"]
        if client_id is not None:
            found = [e for e in found if (e.basic() or (e.form().get("client_id"),))[0] == client_id]
        if grant_type is not None:
            found = [e for e in found if e.form().get("grant_type") == grant_type]
        return found

    def requests_to(self, path: str) -> list[Exchange]:
        with self.lock:
            return [e for e in self.exchanges if urlsplit(e.path).path == path]

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


# --------------------------------------------------------------------------
# A server of our own, reached through the proxy


@dataclass
class Stack:
    termauth: TermAuth
    server: ServeProcess
    proxy: RecordingProxy
    discovery: dict = field(default_factory=dict)
    resource_server: dict = field(default_factory=dict)
    alice_sub: str = ""

    @property
    def issuer(self) -> str:
        return self.discovery["issuer"]

    def url(self, path: str) -> str:
        return self.proxy.base_url + path

    def introspect(self, token: str) -> dict:
        r = requests.post(self.url("/introspect"), data={"token": token}, timeout=10,
                          auth=(self.resource_server["client_id"], self.resource_server["client_secret"]))
        assert r.status_code == 200, f"/introspect answered {r.status_code}: {r.text[:300]}"
        return r.json()

    def userinfo(self, token: str) -> requests.Response:
        return requests.get(self.discovery["userinfo_endpoint"], timeout=10,
                            headers={"Authorization": f"Bearer {token}"})

    def add_client(self, public: bool, redirect_uri: str = "http://localhost:4242") -> dict:
        """A client as oidc-agent needs it: device, code and refresh grants, a literal
        http://localhost:PORT redirect. No --scope: it may ask for every scope."""
        return self.termauth.add_client(
            unique("oidc-agent"), redirect_uris=[redirect_uri], public=public, introspect=False,
            grants=["authorization_code", "refresh_token", DEVICE_GRANT])

    def stop(self):
        self.server.stop()
        self.proxy.close()


def start_stack(termauth: TermAuth, directory: Path, lifetimes: str = "") -> Stack:
    """A fresh database and settings file (one-second device polling plus `lifetimes`),
    alice with an email address, a resource server allowed to introspect, and
    `termauth serve` whose announced issuer is the recording proxy in front of it."""
    directory.mkdir(parents=True, exist_ok=True)
    config = directory / "termauth.toml"
    config.write_text(TEST_CONFIG + "\n[lifetimes]\ndevice_poll_interval = 1\n" + lifetimes)
    ta = TermAuth(binary=termauth.binary, db=directory / "termauth.sqlite3", config=config,
                  env=termauth.env)
    ta.run("user", "add", ALICE, "--password-stdin", "--display-name", "Alice Example",
           "--email", ALICE_EMAIL, "--email-verified", input=ALICE_PASSWORD + "\n")
    rs = ta.json("client", "add", "--name", unique("resource-server"), "--grant", "client_credentials",
                 "--introspect", "--json")
    users = ta.json("user", "list", "--json")
    alice = next(u for u in users if u["username"] == ALICE)

    proxy = RecordingProxy()
    server = ServeProcess(ta, directory / "serve.log", extra_args=["--issuer", proxy.base_url])
    try:
        server.start()
    except AssertionError:
        proxy.close()
        raise
    upstream = urlsplit(server.base_url)
    proxy.upstream = (upstream.hostname, upstream.port)
    stack = Stack(termauth=ta, server=server, proxy=proxy, resource_server=rs, alice_sub=alice["sub"])
    # Through the proxy: what oidc-agent will reach.
    r = requests.get(stack.url("/.well-known/openid-configuration"), timeout=10)
    assert r.status_code == 200, r.text
    stack.discovery = r.json()
    return stack


@pytest.fixture(scope="module")
def stack(termauth, tmp_path_factory):
    s = start_stack(termauth, tmp_path_factory.mktemp("oidc-agent-server"))
    yield s
    s.stop()


# --------------------------------------------------------------------------
# An isolated oidc-agent


class Output:
    """A child's stdout and stderr, pumped into one list by threads (oidc-gen prints the
    device code on stdout and the authorization URL on stderr)."""

    def __init__(self, proc: subprocess.Popen):
        self.proc = proc
        self.lines: list[str] = []
        self._new: queue.Queue = queue.Queue()
        self._threads = [threading.Thread(target=self._pump, args=(s,), daemon=True)
                         for s in (proc.stdout, proc.stderr)]
        for t in self._threads:
            t.start()

    def _pump(self, stream):
        for line in iter(stream.readline, ""):
            self.lines.append(line)
            self._new.put(line)

    def text(self) -> str:
        # The device flow's QR code is hundreds of colour escapes; keep reports readable.
        return re.sub(r"\x1b\[[0-9;]*m", "", "".join(self.lines))

    def wait_for(self, pattern: str, timeout: float = 30.0) -> re.Match:
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            match = rx.search(self.text())
            if match:
                return match
            if self.proc.poll() is not None:
                time.sleep(0.2)  # the pumps may still hold the last lines
                match = rx.search(self.text())
                if match:
                    return match
                break
            try:
                self._new.get(timeout=0.2)
            except queue.Empty:
                pass
        raise AssertionError(f"oidc-gen never printed /{pattern}/ (exit code {self.proc.poll()}):\n{self.text()}")

    def finish(self, timeout: float = GEN_TIMEOUT) -> str:
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
            raise AssertionError(f"oidc-gen still running after {timeout:.0f} s:\n{self.text()}")
        for t in self._threads:
            t.join(5)
        assert self.proc.returncode == 0, f"oidc-gen exited {self.proc.returncode}:\n{self.text()}"
        return self.text()

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


class Agent:
    """oidc-agent with nothing of the real user's: HOME, OIDC_CONFIG_DIR, TMPDIR and the
    socket all live in one short temporary directory (a UNIX socket path is limited to
    about 100 bytes, which pytest's tmp_path can exceed)."""

    PASSWORD = "oidc-agent-test-encryption"

    def __init__(self):
        self.root = Path(tempfile.mkdtemp(prefix="oa-", dir="/tmp"))
        home = self.root / "home"
        self.config_dir = home / ".config" / "oidc-agent"
        self.config_dir.mkdir(parents=True, mode=0o700)
        (self.root / "tmp").mkdir()
        self.socket = self.root / "agent.sock"
        self.pw_cmd = self.root / "pw.sh"
        self.pw_cmd.write_text(f"#!/bin/sh\necho {self.PASSWORD}\n")
        self.pw_cmd.chmod(0o700)
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("OIDC") and k not in ("DISPLAY", "WAYLAND_DISPLAY", "BROWSER",
                                                         "XDG_CONFIG_HOME", "XDG_RUNTIME_DIR")}
        env.update(HOME=str(home), OIDC_CONFIG_DIR=str(self.config_dir), TMPDIR=str(self.root / "tmp"),
                   OIDC_SOCK=str(self.socket), LANG="C.UTF-8")
        self.env = env
        self.log = self.root / "agent.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> "Agent":
        # -d: stays in the foreground, so this Popen is the agent; its helper child shares
        # the new process group, which stop() ends.
        with open(self.log, "w") as log:
            self.process = subprocess.Popen(
                ["oidc-agent", "-d", "--no-autoload", "--always-allow-idtoken", "--log-stderr",
                 "-a", str(self.socket)],
                env=self.env, stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
        deadline = time.monotonic() + 10
        while not self.socket.exists():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"oidc-agent did not open {self.socket} "
                                     f"(exit code {self.process.poll()}):\n{self.log.read_text()}")
            time.sleep(0.05)
        return self

    def stop(self):
        if self.process is not None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        shutil.rmtree(self.root, ignore_errors=True)

    def gen(self, *args: str) -> Output:
        """oidc-gen, unattended: the password from --pw-cmd, every prompt answered by its
        default, no prompts on a terminal at all."""
        argv = ["oidc-gen", *args, f"--pw-cmd={self.pw_cmd}", "--confirm-default", "--prompt=none"]
        proc = subprocess.Popen(argv, env=self.env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, start_new_session=True)
        return Output(proc)

    def new_account(self, shortname: str, stack: Stack, client: dict, flow: str, *extra: str) -> Output:
        return self.gen(shortname, f"--issuer={stack.issuer}", f"--client-id={client['client_id']}",
                        f"--client-secret={client.get('client_secret', '')}", f"--flow={flow}",
                        f"--scope={SCOPES}", *extra)

    def token(self, *args: str) -> str:
        proc = subprocess.run(["oidc-token", *args], env=self.env, capture_output=True, text=True,
                              timeout=30, stdin=subprocess.DEVNULL)
        assert proc.returncode == 0 and proc.stdout.strip(), (
            f"`oidc-token {' '.join(args)}` exited {proc.returncode}\nstdout: {proc.stdout}\n"
            f"stderr: {proc.stderr}\nagent log:\n{self.log.read_text(errors='replace')[-2000:]}")
        return proc.stdout.strip()

    def loaded(self) -> str:
        return subprocess.run(["oidc-add", "-a"], env=self.env, capture_output=True, text=True,
                              timeout=10).stdout


@pytest.fixture
def agent():
    a = Agent().start()
    yield a
    a.stop()


# --------------------------------------------------------------------------
# Shared checks


def device_code_of(gen: Output) -> str:
    return gen.wait_for(r"enter the code: ([A-Z]{4}-[A-Z]{4})").group(1)


def wait_until_polling(stack: Stack, client_id: str, timeout: float = 15.0):
    """Until oidc-agent has asked the token endpoint at least once (and heard
    authorization_pending), so approval lands while it polls."""
    deadline = time.monotonic() + timeout
    while not stack.proxy.token_requests(client_id, DEVICE_GRANT):
        assert time.monotonic() < deadline, "oidc-agent never polled the token endpoint"
        time.sleep(0.1)


def verified_id_token(stack: Stack, token: str, client_id: str) -> dict:
    """The ID token's claims, its signature checked against the server's JWKS, with no leeway."""
    header = jwt.get_unverified_header(token)
    jwks = requests.get(stack.discovery["jwks_uri"], timeout=10).json()
    key = next((k for k in jwks["keys"] if k.get("kid") == header.get("kid")), None)
    assert key is not None, f"kid {header.get('kid')!r} not in {stack.discovery['jwks_uri']}"
    return jwt.decode(token, jwt.PyJWK(key).key, algorithms=[header["alg"]], audience=client_id,
                      issuer=stack.issuer, leeway=0,
                      options={"require": ["iss", "sub", "aud", "exp", "iat"], "strict_aud": True})


def assert_agent_tokens_work(stack: Stack, agent: Agent, shortname: str, client_id: str) -> str:
    """oidc-token's access token is live at /introspect and /userinfo, and its ID token
    names this issuer, this client and alice. Returns the access token."""
    access = agent.token(shortname)
    info = stack.introspect(access)
    assert info.get("active") is True, info
    assert info.get("client_id") == client_id and info.get("username") == ALICE, info
    granted = set(info.get("scope", "").split())
    assert {"openid", "offline_access", "profile", "email"} <= granted, info

    r = stack.userinfo(access)
    assert r.status_code == 200, f"/userinfo answered {r.status_code}: {r.text[:300]}"
    assert r.json().get("sub") == stack.alice_sub and r.json().get("email") == ALICE_EMAIL, r.json()

    id_token = agent.token("--id-token", shortname)
    claims = verified_id_token(stack, id_token, client_id)
    assert claims["iss"] == stack.discovery["issuer"]
    assert claims["aud"] in (client_id, [client_id]), claims
    assert claims["sub"] == stack.alice_sub, claims
    # The issuer oidc-agent keeps for the account is this server (it adds a trailing slash).
    assert agent.token("--issuer", shortname).rstrip("/") == stack.issuer.rstrip("/")
    return access


def assert_sent_basic(stack: Stack, client: dict, grant_type: str) -> list[Exchange]:
    """oidc-agent authenticated at /token with HTTP Basic: client id and secret, or the
    client id and an empty password for a public client; and the server said 200 in the end."""
    sent = stack.proxy.token_requests(client["client_id"], grant_type)
    assert sent, f"oidc-agent sent no {grant_type} request for {client['client_id']}"
    for exchange in sent:
        assert exchange.basic() == (client["client_id"], client.get("client_secret", "")), exchange.headers
        assert "client_secret" not in exchange.form(), exchange.body
    assert sent[-1].status == 200, f"{grant_type}: HTTP {sent[-1].status} {sent[-1].response[:300]!r}"
    return sent


def audit_kinds(stack: Stack, client_id: str) -> list[tuple[str, str]]:
    events = stack.termauth.json("audit", "--limit", "500", "--json")
    return [(e["kind"], e.get("detail", "")) for e in events if e.get("client_id") == client_id]


# --------------------------------------------------------------------------
# The tests


def test_device_flow_approved_in_the_terminal_ui(stack, agent):
    client = stack.add_client(public=False)
    gen = agent.new_account("termui", stack, client, "device")
    try:
        code = device_code_of(gen)
        assert f"{stack.issuer}/device" in gen.text()
        wait_until_polling(stack, client["client_id"])
        argv = [str(stack.termauth.binary), "device", code,
                "--db", str(stack.termauth.db), "--config", str(stack.termauth.config)]
        with TmuxSession(argv, env=ENV) as tmux:
            confirm = tmux.confirm_request(code)
            assert client["client_id"] in confirm, confirm
            tmux.sign_in(ALICE, ALICE_PASSWORD)
            consent = tmux.wait_for("Allow access?")
            assert "offline_access" in consent or "Keep access while you are away" in consent, consent
            tmux.press("a")
            assert tmux.exit_code() == 0, tmux.screen()
            assert "approved" in tmux.screen()
        gen.finish()
    finally:
        gen.kill()
    assert "termui" in agent.loaded()
    assert_agent_tokens_work(stack, agent, "termui", client["client_id"])
    # A confidential client: Basic with its secret, on every grant oidc-agent used.
    assert_sent_basic(stack, client, DEVICE_GRANT)
    assert_sent_basic(stack, client, "refresh_token")


def test_device_flow_approved_headless_public_client_basic_with_empty_password(stack, agent):
    client = stack.add_client(public=True)
    assert "client_secret" not in client
    gen = agent.new_account("headless", stack, client, "device")
    try:
        code = device_code_of(gen)
        wait_until_polling(stack, client["client_id"])
        approved = stack.termauth.approve(code, "--json")
        assert approved.returncode == 0, approved.stderr
        gen.finish()
    finally:
        gen.kill()
    assert_agent_tokens_work(stack, agent, "headless", client["client_id"])

    # What oidc-agent sent, as the server received it: Basic `client_id:` (empty password),
    # for the device grant and for the refresh behind `oidc-token --id-token`; both 200.
    polls = assert_sent_basic(stack, client, DEVICE_GRANT)
    assert polls[0].status == 400 and json.loads(polls[0].response)["error"] == "authorization_pending"
    assert_sent_basic(stack, client, "refresh_token")
    # Its device authorization request (Basic plus client_id in the body; 4.2.6 leaves the
    # spaces of `scope` unencoded) was taken as sent: 200, and every scope in it was granted
    # (assert_agent_tokens_work saw all four at /introspect).
    asked = [e for e in stack.proxy.requests_to("/device_authorization")
             if e.basic() == (client["client_id"], "") or e.form().get("client_id") == client["client_id"]]
    assert asked and asked[-1].status == 200, asked
    assert asked[-1].basic() in (None, (client["client_id"], "")), asked[-1].headers
    assert {"openid", "offline_access", "profile", "email"} <= set(asked[-1].form()["scope"].split())
    # The server's own record: tokens issued to the public client by both grants.
    kinds = audit_kinds(stack, client["client_id"])
    assert any(k == "token.issued" and d.startswith("device grant") for k, d in kinds), kinds
    assert any(k == "token.issued" and d.startswith("refresh") for k, d in kinds), kinds


def test_code_flow_through_code_exchange(stack, agent):
    # Nothing listens there (--no-webserver: the redirect is carried by hand); oidc-gen
    # only takes ports from 1024 to 49151.
    port = random.randint(20000, 49151)
    redirect = f"http://localhost:{port}"
    client = stack.add_client(public=True, redirect_uri=redirect)
    gen = agent.new_account("codeflow", stack, client, "code", f"--redirect-uri={redirect}",
                            "--no-url-call", "--no-webserver")
    try:
        url = gen.wait_for(re.escape(stack.discovery["authorization_endpoint"]) + r"\?\S+").group(0)
        gen.finish()  # with --no-webserver it prints the URL and leaves
    finally:
        gen.kill()
    params = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    assert params["client_id"] == client["client_id"] and params["redirect_uri"] == redirect, params
    assert params["code_challenge_method"] == "S256" and params.get("state"), params

    # The user agent: not a browser, so /authorize holds it until someone decides.
    browser = BackgroundGet(url, allow_redirects=False).start()
    entry = stack.termauth.wait_for_request(client["client_id"], stop_if=browser.early_answer)
    assert entry["redirect_uri"] == redirect, entry
    stack.termauth.approve(entry["approval_code"])
    answer = browser.join()
    assert answer.status_code == 302, f"/authorize answered {answer.status_code}: {answer.text[:300]}"
    location = answer.headers["Location"]
    assert location.startswith(redirect), location
    back = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    assert back.get("code") and back.get("state") == params["state"], location
    assert back.get("iss") == stack.issuer, location

    exchange = agent.gen(f"--codeExchange={location}")
    try:
        out = exchange.finish()
    finally:
        exchange.kill()
    assert "success" in out.lower(), out
    assert "codeflow" in agent.loaded()
    assert_agent_tokens_work(stack, agent, "codeflow", client["client_id"])
    sent = assert_sent_basic(stack, client, "authorization_code")
    form = sent[-1].form()
    assert form.get("redirect_uri") == redirect and form.get("code_verifier"), form


def test_refresh_when_the_access_token_expires(termauth, tmp_path, agent):
    own = start_stack(termauth, tmp_path / "short", lifetimes="access_token = 4\n")
    try:
        client = own.add_client(public=True)
        gen = agent.new_account("short", own, client, "device")
        try:
            code = device_code_of(gen)
            wait_until_polling(own, client["client_id"])
            own.termauth.approve(code)
            gen.finish()
        finally:
            gen.kill()

        first, _, first_exp = agent.token("-a", "short").splitlines()[:3]
        assert int(first_exp) - time.time() <= 5, "the server's 4 s access-token lifetime was not applied"
        assert own.introspect(first)["active"] is True
        refreshes_before = len(own.proxy.token_requests(client["client_id"], "refresh_token"))

        # Let it expire, as the server sees it.
        deadline = time.monotonic() + 15
        while own.introspect(first).get("active"):
            assert time.monotonic() < deadline, "the first access token never expired"
            time.sleep(0.5)
        # The server counts a token dead from its `exp` second on; oidc-agent only once that
        # second has passed. Step past the boundary both agree on.
        time.sleep(1.1)

        second, issuer, second_exp = agent.token("-a", "short").splitlines()[:3]
        assert second != first
        assert int(second_exp) > time.time()
        assert issuer.rstrip("/") == own.issuer.rstrip("/")
        info = own.introspect(second)
        assert info.get("active") is True and info.get("username") == ALICE, info
        assert info.get("client_id") == client["client_id"], info
        r = own.userinfo(second)
        assert r.status_code == 200 and r.json().get("sub") == own.alice_sub, r.text[:300]

        refreshes = assert_sent_basic(own, client, "refresh_token")
        assert len(refreshes) > refreshes_before, "oidc-token did not refresh"
        assert refreshes[-1].form().get("refresh_token"), refreshes[-1].body
        # The refreshed grant still yields an ID token for alice.
        claims = verified_id_token(own, agent.token("--id-token", "short"), client["client_id"])
        assert claims["sub"] == own.alice_sub
    finally:
        own.stop()
