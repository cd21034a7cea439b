"""The terminal UI over SSH (issue 18): `termauth serve --ssh-port` runs the same screens
for whoever connects with the real OpenSSH client, each session in a child `termauth` on a
pseudo-terminal.

- `ssh -t -p PORT HOST`: code entry, confirmation, sign-in, consent, result (Enter for
  another code, Esc or q to leave with status 0); `ssh -t -p PORT HOST CODE` decides one
  request and ends, 0 approved, 1 denied;
- a key registered to the user (`termauth user key add`) signs in during the handshake and
  skips the password; a user with keys must prove one; a user without keys gets the
  sign-in screen; `console` is for operators signed in by key;
- no pty, sftp, forwarding and the agent are refused; sessions are bounded per source;
- the ed25519 host key is made once and kept; `termauth ssh host-key` prints it;
- a dropped connection leaves the request as it was and no child behind;
- the password lockout holds over SSH as everywhere else.
"""

from __future__ import annotations

import json
import os
import re
import selectors
import signal
import socket
import stat
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session

from conftest import ALICE, ALICE_PASSWORD, BackgroundGet, Loopback, TermAuth, unique
from hardening_helpers import (approve_yes, audit, authorize_url, browser_authorize, instance,
                               run_detached)
from ssh_helpers import (ENV, SFTP, SSH_AGENT, SshClient, SshServe, children, describe,
                         descendants, ended, fingerprint, kill, known_host_fingerprint,
                         leave_result, make_key, median, needs_openssh, panel_box, rss_kib,
                         ssh_client_pid, ssh_table, type_password, wait_for_any, wait_until,
                         zombies)
from test_device_flow import poll_in_background, start_device_flow

pytestmark = needs_openssh

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
BOB, BOB_PASSWORD = "bob", "bob's long password"
DAVE, DAVE_PASSWORD = "dave", "dave's long password"
CODE_ENTRY = "Type the code"
REFUSED = "incorrect username or password"
# Every session here comes from 127.0.0.1 and types codes from one account.
RAISED = """
max_failed_logins_per_source = 100000
max_wrong_codes = 1000
"""
CHILD_GONE_TIMEOUT = 10.0


@dataclass
class Site:
    ta: TermAuth
    server: SshServe
    keys: dict


@pytest.fixture(scope="module")
def site(termauth, tmp_path_factory):
    """One server for the tests that only connect: alice (an operator, with a key), bob
    (no key), dave (a key, no operator); `stranger` is a key registered to nobody."""
    directory = tmp_path_factory.mktemp("ssh")
    ta = instance(termauth, directory, security=RAISED, extra=ssh_table(max_sessions_per_source=64),
                  users=((ALICE, ALICE_PASSWORD), (BOB, BOB_PASSWORD), (DAVE, DAVE_PASSWORD)))
    ta.run("user", "set", ALICE, "--operator")
    keydir = directory / "keys"
    keydir.mkdir()
    keys = {name: make_key(keydir, name) for name in ("alice", "dave", "stranger")}
    ta.run("user", "key", "add", ALICE, "--file", f"{keys['alice']}.pub")
    # The same from standard input.
    ta.run("user", "key", "add", DAVE, "--file", "-", input=Path(f"{keys['dave']}.pub").read_text())
    with SshServe(ta, directory / "serve.log") as server:
        yield Site(ta=ta, server=server, keys=keys)


@pytest.fixture
def ssh(site, tmp_path):
    """The OpenSSH client for `site`; its tmux sessions close after the test, and the
    server's log of the test is printed (pytest shows it when the test fails)."""
    client = SshClient(site.server, tmp_path / "known_hosts")
    start = site.server.log_path.stat().st_size if site.server.log_path.exists() else 0
    yield client
    client.close_all()
    with open(site.server.log_path, errors="replace") as log:
        log.seek(start)
        print(f"--- termauth serve log during the test ---\n{log.read()[-4000:]}")


def device_client(ta):
    return ta.add_client(unique("tv"), public=True, grants=[DEVICE_GRANT, "refresh_token"])


def profile_of(server, token: dict) -> dict:
    r = requests.get(server.url("/resource"), timeout=10,
                     headers={"Authorization": f"Bearer {token['access_token']}"})
    assert r.status_code == 200, f"/resource answered {r.status_code}: {r.text[:300]}"
    return r.json()


def still_pending(ta, code: str) -> bool:
    return any(r.get("approval_code") == code for r in ta.list_requests())


def assert_no_children_left(server: SshServe, during=(), timeout: float = CHILD_GONE_TIMEOUT):
    """The sessions' processes are gone (none left below the server, no zombie)."""
    left = wait_until(lambda: not descendants(server.pid), timeout)
    assert left, (f"{timeout:.0f} s after the sessions ended the server still has children:\n"
                  f"{describe(descendants(server.pid))}\n(during the session: {list(during)})")
    assert not zombies(server.pid), describe(zombies(server.pid))


def web_client(ta):
    return ta.add_client(unique("web"), redirect_uris=["http://127.0.0.1/callback"],
                         scopes=["profile"])


def authorization_url(server, client, loopback):
    session = OAuth2Session(client["client_id"], client["client_secret"], scope="profile",
                            redirect_uri=loopback.redirect_uri, code_challenge_method="S256")
    verifier = generate_token(48)
    url, state = session.create_authorization_url(server.url("/authorize"), code_verifier=verifier)
    return session, url, state, verifier


# --------------------------------------------------------------------------
# 1, 2: the flows


def test_device_client_gets_its_token_after_approval_over_ssh(site, ssh):
    client = device_client(site.ta)
    device = start_device_flow(site.server, client["client_id"])
    thread, result = poll_in_background(site.server, client["client_id"], device)
    with ssh.session() as tmux:
        entry = tmux.wait_for(CODE_ENTRY)
        assert "signed in as" not in entry, entry
        tmux.type(device["user_code"].lower())
        tmux.press("Enter")
        tmux.confirm_request(device["user_code"])
        tmux.sign_in(ALICE, ALICE_PASSWORD)
        tmux.wait_for("Allow access?")
        assert ALICE_PASSWORD not in tmux.screen()
        tmux.press("a")
        tmux.wait_for("Approved")
        tmux.press("Escape")
        assert tmux.exit_code() == 0, tmux.screen()
    thread.join(60)
    token = result.get("token")
    assert token, result
    assert token["scope"] == "profile" and token.get("refresh_token"), token
    assert profile_of(site.server, token)["username"] == ALICE


def test_browser_request_approved_with_its_code_as_the_ssh_command(site, ssh):
    client = web_client(site.ta)
    with Loopback("/callback") as loopback:
        session, url, state, verifier = authorization_url(site.server, client, loopback)
        agent = BackgroundGet(url).start()
        code = site.ta.wait_for_approval_code(client["client_id"], stop_if=agent.early_answer)
        with ssh.session(code) as tmux:
            confirm = tmux.confirm_request(code)
            assert "Approve a sign-in" in confirm and "127.0.0.1" in confirm, confirm
            tmux.sign_in(ALICE, ALICE_PASSWORD)
            tmux.wait_for("Allow access?")
            tmux.press("a")
            assert leave_result(tmux) == 0, tmux.screen()
        query = loopback.wait()
        assert query.get("state") == state and query.get("code"), query
        assert agent.join().status_code == 200
        token = session.fetch_token(site.server.url("/token"), code=query["code"],
                                    code_verifier=verifier)
        assert profile_of(site.server, token)["username"] == ALICE
    assert not still_pending(site.ta, code)


def test_denied_over_ssh_ends_with_status_1(site, ssh):
    client = web_client(site.ta)
    with Loopback("/callback") as loopback:
        _, url, state, _ = authorization_url(site.server, client, loopback)
        agent = BackgroundGet(url).start()
        code = site.ta.wait_for_approval_code(client["client_id"], stop_if=agent.early_answer)
        with ssh.session(code) as tmux:
            confirm = tmux.wait_for("Deny if someone sent you this code")
            assert "▶ Deny ◀" in confirm, "focus starts on Deny"
            tmux.press("Enter")
            assert leave_result(tmux) == 1, tmux.screen()
        query = loopback.wait()
        assert query.get("error") == "access_denied" and "code" not in query, query
        agent.join()


# --------------------------------------------------------------------------
# 3: keys


def test_registered_key_signs_in_without_the_password(site, ssh):
    client = device_client(site.ta)
    device = start_device_flow(site.server, client["client_id"])
    thread, result = poll_in_background(site.server, client["client_id"], device)
    with ssh.session(user=ALICE, key=site.keys["alice"]) as tmux:
        entry = tmux.wait_for(CODE_ENTRY)
        assert "signed in as alice with key SHA256:" in entry, entry
        tmux.type(device["user_code"])
        tmux.press("Enter")
        tmux.confirm_request(device["user_code"])
        found, screen = wait_for_any(tmux, ["Allow access?", "Sign in", "Password"])
        assert found == "Allow access?", f"a key sign-in was asked for a password:\n{screen}"
        assert "signed in as alice" in screen, screen
        tmux.press("a")
        tmux.wait_for("Approved")
        # Enter: another code, still signed in by the key.
        tmux.press("Enter")
        again = tmux.wait_for(CODE_ENTRY)
        assert "signed in as alice with key SHA256:" in again, again
    thread.join(60)
    token = result.get("token")
    assert token, result
    assert profile_of(site.server, token)["username"] == ALICE
    # The audit log says who approved.
    rows = [e for e in audit(site.ta) if e["kind"] == "request.approved"
            and e.get("client_id") == client["client_id"]]
    assert rows and rows[0].get("username") == ALICE, rows


def test_key_registered_to_nobody_gets_the_sign_in_screen(site, ssh):
    client = device_client(site.ta)
    device = start_device_flow(site.server, client["client_id"])
    thread, result = poll_in_background(site.server, client["client_id"], device)
    # bob has no keys: the session starts unauthenticated, whatever key the client offers.
    with ssh.session(user=BOB, key=site.keys["stranger"]) as tmux:
        entry = tmux.wait_for(CODE_ENTRY)
        assert "signed in as" not in entry, entry
        tmux.type(device["user_code"])
        tmux.press("Enter")
        tmux.confirm_request(device["user_code"])
        login = tmux.sign_in(BOB, BOB_PASSWORD)
        assert "Username" in login and "Password" in login, login
        consent = tmux.wait_for("Allow access?")
        assert "signed in as bob" in consent, consent
        tmux.press("a")
        tmux.wait_for("Approved")
        tmux.press("q")
        assert tmux.exit_code() == 0
    thread.join(60)
    token = result.get("token")
    assert token, result
    assert profile_of(site.server, token)["username"] == BOB


def test_user_with_keys_must_prove_one(site, ssh):
    # A key registered to nobody, one registered to someone else, and none at all:
    # all refused by SSH itself (ssh exits 255), before any screen.
    for key in (site.keys["stranger"], site.keys["dave"], None):
        proc = ssh.run(user=ALICE, key=key, tty="-T")
        assert proc.returncode == 255, \
            f"alice with key {key}: exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
        assert "Permission denied" in proc.stderr, proc.stderr
    # The right key gets through (stopped at once: no terminal here, so refused with 1).
    proc = ssh.run(user=ALICE, key=site.keys["alice"], tty="-T")
    assert proc.returncode == 1, f"exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"


def test_user_key_commands(termauth, tmp_path):
    ta = instance(termauth, tmp_path / "site")
    keydir = tmp_path / "keys"
    keydir.mkdir()
    ed = make_key(keydir, "laptop")
    ec = make_key(keydir, "phone", kind="ecdsa")
    rsa = make_key(keydir, "old", kind="rsa")

    ta.run("user", "key", "add", ALICE, "--file", f"{ed}.pub")
    ta.run("user", "key", "add", ALICE, "--file", "-", input=Path(f"{ec}.pub").read_text())
    refused = ta.run("user", "key", "add", ALICE, "--file", f"{rsa}.pub", check=False)
    assert refused.returncode in (1, 2), f"an RSA key was accepted:\n{refused.stdout}{refused.stderr}"
    message = (refused.stderr + refused.stdout).lower()
    assert "rsa" in message or "ed25519" in message, f"no clear message: {message!r}"

    keys = ta.json("user", "key", "list", ALICE, "--json")
    assert isinstance(keys, list) and len(keys) == 2, keys
    by_print = {k["fingerprint"]: k for k in keys}
    assert set(by_print) == {fingerprint(ed), fingerprint(ec)}, keys
    assert "ed25519" in by_print[fingerprint(ed)]["type"].lower(), keys
    assert "ecdsa" in by_print[fingerprint(ec)]["type"].lower(), keys
    assert by_print[fingerprint(ed)]["comment"] == "laptop@termauth-tests", keys

    ta.run("user", "key", "remove", ALICE, fingerprint(ed))
    keys = ta.json("user", "key", "list", ALICE, "--json")
    assert [k["fingerprint"] for k in keys] == [fingerprint(ec)], keys
    # A key that is not in the list is refused, and so is an unknown user.
    assert ta.run("user", "key", "remove", ALICE, fingerprint(ed), check=False).returncode != 0
    assert ta.run("user", "key", "add", "nosuchuser", "--file", f"{ed}.pub",
                  check=False).returncode != 0


def test_operator_console_needs_an_operator_signed_in_by_key(site, ssh):
    client = web_client(site.ta)
    page = browser_authorize(site.server, client, "http://127.0.0.1/callback")
    assert page.status_code == 200, page.text[:300]
    code = re.search(r'class="code">([A-Z]{4}-[A-Z]{4})<', page.text).group(1)
    with ssh.session("console", user=ALICE, key=site.keys["alice"]) as tmux:
        tmux.wait_for(code)
    # dave has a key but is no operator; nobody is not signed in at all.
    for user, key in ((DAVE, site.keys["dave"]), ("nobody", None)):
        with ssh.session("console", user=user, key=key) as tmux:
            status = tmux.exit_code()
            screen = tmux.screen()
        assert status == 1, f"console for {user}: exit {status}\n{screen}"
        said = [line for line in screen.split(tmux.marker)[0].splitlines()
                if line.strip() and not line.startswith(("Connection to", "Warning: Permanently"))]
        assert len(said) == 1, f"console for {user}: not one line of refusal:\n{screen}"
    assert still_pending(site.ta, code)
    run_detached(site.ta, "approve", code, "--user", ALICE, "--password-stdin", "--deny",
                 input=ALICE_PASSWORD + "\n")


# --------------------------------------------------------------------------
# 4: resize


def _centred(box, width: int, height: int) -> bool:
    top, left, bottom, right = box
    return (right < width and bottom < height
            and abs(left - (width - 1 - right)) <= 1 and abs(top - (height - 1 - bottom)) <= 1)


def _screen_where(tmux, check, timeout: float = 10.0) -> str | None:
    """The first screen for which `check(screen)` holds within `timeout`, else None."""
    return wait_until(lambda: (lambda screen: screen if check(screen) else None)(tmux.screen()),
                      timeout)


def test_resize_redraws_at_the_new_size(site, ssh):
    with ssh.session(width=80, height=24) as tmux:
        # The whole first frame, not its first lines: the capture may catch a redraw midway.
        before = _screen_where(tmux, lambda s: CODE_ENTRY in s and panel_box(s) is not None) or tmux.screen()
        box = panel_box(before)
        assert box and _centred(box, 80, 24), f"no centred panel at 80x24 ({box}):\n{before}"

        subprocess.run(["tmux", "resize-window", "-t", tmux.name, "-x", "100", "-y", "30"], check=True)
        after = _screen_where(tmux, lambda s: CODE_ENTRY in s and panel_box(s) not in (None, box))
        assert after, f"no redraw after resizing to 100x30 (panel was {box}):\n{tmux.screen()}"
        new = panel_box(after)
        assert _centred(new, 100, 30), f"panel {new} not centred in 100x30:\n{after}"

        subprocess.run(["tmux", "resize-window", "-t", tmux.name, "-x", "30", "-y", "10"], check=True)
        tmux.wait_for("too small", timeout=10)
        subprocess.run(["tmux", "resize-window", "-t", tmux.name, "-x", "80", "-y", "24"], check=True)
        back = _screen_where(tmux, lambda s: CODE_ENTRY in s and panel_box(s) is not None
                             and _centred(panel_box(s), 80, 24))
        assert back, f"no redraw at 80x24 after the too-small size:\n{tmux.screen()}"
        assert not ended(tmux), back


# --------------------------------------------------------------------------
# 5: dropped connections


@pytest.mark.parametrize("how", ["kill-client-at-consent", "kill-tmux-at-confirmation"])
def test_dropped_connection_leaves_the_request_pending_and_no_child(site, ssh, how):
    client = web_client(site.ta)
    agent = BackgroundGet(authorize_url(site.server, client, "http://127.0.0.1/callback"),
                          allow_redirects=False).start()
    code = site.ta.wait_for_approval_code(client["client_id"], stop_if=agent.early_answer)
    baseline = set(descendants(site.server.pid))

    tmux = ssh.session(code)
    if how == "kill-client-at-consent":
        tmux.confirm_request(code)
        tmux.sign_in(ALICE, ALICE_PASSWORD)
        tmux.wait_for("Allow access?")
    else:
        tmux.wait_for("Deny if someone sent you this code")
    during = set(descendants(site.server.pid)) - baseline
    assert during, "no child process for the session"
    assert any("termauth" in describe([p]) for p in during), describe(during)

    if how == "kill-client-at-consent":
        kill(ssh_client_pid(tmux), signal.SIGKILL)
    else:
        tmux.close()

    assert_no_children_left(site.server, during)
    time.sleep(0.5)  # the waiting agent polls every 200 ms
    assert agent.early_answer() is None, "the dropped session decided the request"
    assert still_pending(site.ta, code), "the request is no longer pending after the drop"
    decided = [e for e in audit(site.ta) if e["kind"] in ("request.approved", "request.denied")
               and e.get("client_id") == client["client_id"]]
    assert not decided, decided
    # Exactly as it was: it can still be approved.
    approve_yes(site.ta, code)
    answer = agent.join()
    assert answer.status_code == 302 and "code=" in answer.headers["Location"], answer.headers
    tmux.close()


# --------------------------------------------------------------------------
# 6: refused


def test_session_without_a_pty_is_refused(site, ssh):
    for what, kw in (("-T", {"tty": "-T"}),
                     ("a command without -t", {"tty": None, "command": ("BDWP-HQPK",)})):
        proc = ssh.run(*kw.get("command", ()), tty=kw["tty"])
        assert proc.returncode == 1, f"{what}: exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
        assert "ssh -t" in proc.stdout + proc.stderr, f"{what}: {proc.stdout!r} {proc.stderr!r}"
    assert_no_children_left(site.server)


def test_sftp_is_refused(site, ssh):
    if not SFTP:
        pytest.skip("sftp is not installed")
    argv = ssh.argv(program=SFTP, extra=["-b", "-"])
    proc = subprocess.run(argv, input="ls\n", capture_output=True, text=True, timeout=30,
                          start_new_session=True)
    assert proc.returncode != 0, f"sftp exited 0:\n{proc.stdout}\n{proc.stderr}"
    assert_no_children_left(site.server)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_port_forwarding_is_refused(site, ssh, tmp_path):
    local = _free_port()
    # Local forwarding to the server's own HTTP port: the connection through it must get nothing.
    argv = ssh.argv(tty=None, extra=["-N", "-L", f"{local}:127.0.0.1:{site.server.port}"])
    log = open(tmp_path / "ssh-L.log", "w+")
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                            start_new_session=True)
    try:
        def listening():
            try:
                socket.create_connection(("127.0.0.1", local), timeout=1).close()
                return True
            except OSError:
                return proc.poll() is not None  # gave up: nothing to connect to either
        wait_until(listening, 15)
        got = b""
        try:
            with socket.create_connection(("127.0.0.1", local), timeout=5) as s:
                s.sendall(b"GET /healthz HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
                s.settimeout(5)
                while chunk := s.recv(4096):
                    got += chunk
        except OSError:
            pass
        assert not got, f"the forwarded connection reached the HTTP server: {got[:200]!r}"
    finally:
        # OpenSSH 9.2 loses a SIGTERM that lands while it handles a refused channel (it goes
        # back to sleep in poll); the refusal was just answered, so give it a moment first.
        time.sleep(0.5)
        kill(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
        log.seek(0)
        print(f"ssh -L: {log.read()}")
        log.close()

    # Remote forwarding: the server refuses the tcpip-forward request.
    proc = ssh.run(tty=None, extra=["-N", "-R", "0:127.0.0.1:9", "-o", "ExitOnForwardFailure=yes"],
                   timeout=30)
    assert proc.returncode == 255, f"-R: exit {proc.returncode}\n{proc.stderr}"
    print(f"ssh -R: {proc.stderr}")
    assert_no_children_left(site.server)


def test_agent_forwarding_is_refused(site, ssh, tmp_path):
    if not SSH_AGENT:
        pytest.skip("ssh-agent is not installed")
    sock = tmp_path / "agent.sock"
    # -D: in the foreground, so it is ours to stop by its pid.
    agent = subprocess.Popen([SSH_AGENT, "-D", "-a", str(sock)], stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True)
    client_log = tmp_path / "ssh-A.log"
    try:
        assert wait_until(sock.exists, 10), "ssh-agent made no socket"
        # The client uses the agent (so it requests forwarding) and forwards it.
        extra = ["-o", f"IdentityAgent={sock}", "-o", f"ForwardAgent={sock}", "-v",
                 "-E", str(client_log)]
        with ssh.session(extra=extra) as tmux:
            tmux.wait_for(CODE_ENTRY)
            time.sleep(1)
            assert not ended(tmux)
    finally:
        kill(agent.pid, signal.SIGTERM)
        agent.wait(timeout=10)
    verbose = client_log.read_text(errors="replace")
    assert "Requesting authentication agent forwarding" in verbose, verbose[-2000:]
    # Had the server taken it, it would open auth-agent@openssh.com channels back to us.
    assert "auth-agent" not in "\n".join(l for l in verbose.splitlines() if "ctype" in l), verbose


# --------------------------------------------------------------------------
# 7: lockout


def test_lockout_holds_over_ssh(termauth, tmp_path):
    ta = instance(termauth, tmp_path / "site", security="max_failed_logins = 3\n" + RAISED)
    client = device_client(ta)
    with SshServe(ta, tmp_path / "serve.log") as server:
        device = start_device_flow(server, client["client_id"])
        code = device["user_code"]
        ssh = SshClient(server, tmp_path / "known_hosts")
        with ssh.session(code) as tmux:
            tmux.confirm_request(code)
            tmux.sign_in(ALICE, "wrong password 1")
            tmux.wait_for(REFUSED)
            for i in (2, 3):
                after = type_password(tmux, f"wrong password {i}")
                assert REFUSED in after and "Allow access?" not in after, after
            locked = wait_until(lambda: [e for e in audit(ta) if e["kind"] == "login.locked"
                                         and e.get("username") == ALICE], 10)
            assert locked, "three wrong passwords over SSH did not lock alice"
            # The right password is refused too while the lock holds.
            type_password(tmux, ALICE_PASSWORD)
            time.sleep(1)  # were it accepted, consent would show by now
            after = tmux.screen()
            assert "Allow access?" not in after and REFUSED in after, after
            assert "Sign in" in after, after
        users = {u["username"]: u for u in ta.json("user", "list", "--json")}
        assert users[ALICE]["locked"] is True, users
        assert not any(e["kind"] == "login.succeeded" and e.get("username") == ALICE
                       for e in audit(ta))
        failed = [e for e in audit(ta) if e["kind"] == "login.failed" and e.get("username") == ALICE]
        assert len(failed) >= 3, failed
        assert still_pending(ta, code)
        assert_no_children_left(server)


# --------------------------------------------------------------------------
# 8: the host key


def _new_files(directory: Path, before: set) -> list[Path]:
    """Files the server made beside the database, other than the database's own (its WAL and
    shared memory) and its approval key."""
    own = {"termauth.sqlite3", "termauth.sqlite3-wal", "termauth.sqlite3-shm", "termauth.sqlite3.key"}
    return [directory / name for name in sorted(set(os.listdir(directory)) - before) if name not in own]


def test_host_key_is_made_once_and_kept_across_restarts(termauth, tmp_path):
    site = tmp_path / "site"
    ta = instance(termauth, site)
    before = set(os.listdir(site))
    known_hosts = tmp_path / "known_hosts"
    server = SshServe(ta, tmp_path / "serve.log")
    with server:
        first = server.host_key
        assert re.fullmatch(r"SHA256:[A-Za-z0-9+/]{43}", first), first
        # The handshake shows the client the same key (accept-new records it).
        SshClient(server, known_hosts).run(tty="-T")
        assert known_host_fingerprint(known_hosts, server.ssh_host, server.ssh_port) == first
    made = _new_files(site, before)
    assert made, f"no host key file beside the database: {sorted(os.listdir(site))}"
    for path in made:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, f"{path} is {oct(path.stat().st_mode)}"

    cli = ta.run("ssh", "host-key").stdout.strip().splitlines()
    assert cli == [first], cli
    with server:  # restart on the same files
        assert server.host_key == first
        SshClient(server, known_hosts).run(tty="-T")
        assert known_host_fingerprint(known_hosts, server.ssh_host, server.ssh_port) == first
    assert _new_files(site, before) == made


def test_host_key_file_setting_and_the_cli_makes_the_key(termauth, tmp_path):
    key_path = tmp_path / "keys" / "ssh_host_ed25519_key"
    key_path.parent.mkdir()
    ta = instance(termauth, tmp_path / "site", extra=ssh_table(host_key_file=str(key_path)))
    printed = ta.run("ssh", "host-key").stdout.strip()
    assert re.fullmatch(r"SHA256:[A-Za-z0-9+/]{43}", printed), printed
    assert key_path.is_file(), "`termauth ssh host-key` did not make the key at host_key_file"
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600, oct(key_path.stat().st_mode)
    assert ta.run("ssh", "host-key").stdout.strip() == printed
    with SshServe(ta, tmp_path / "serve.log") as server:
        assert server.host_key == printed


# --------------------------------------------------------------------------
# The pages name the ssh command


def _names_ssh(text: str, host: str, port: int) -> bool:
    return re.search(rf"ssh (?:-t )?-p {port} {re.escape(host)}\b", text) is not None


def test_pages_name_the_ssh_command(site, termauth, tmp_path):
    # Without public_address: the address the server listens on.
    page = requests.get(site.server.url("/device"), timeout=10)
    assert page.status_code == 200
    assert _names_ssh(page.text, site.server.ssh_host, site.server.ssh_port), page.text

    ta = instance(termauth, tmp_path / "site", extra=ssh_table(public_address="auth.example.com:2222"))
    with SshServe(ta, tmp_path / "serve.log") as server:
        page = requests.get(server.url("/device"), params={"user_code": "BDWP-HQPK"}, timeout=10)
        assert page.status_code == 200
        assert _names_ssh(page.text, "auth.example.com", 2222), page.text
        client = web_client(ta)
        waiting = browser_authorize(server, client, "http://127.0.0.1/callback")
        assert waiting.status_code == 200, waiting.text[:300]
        assert _names_ssh(waiting.text, "auth.example.com", 2222), waiting.text


# --------------------------------------------------------------------------
# 10: limits


def test_sessions_per_source_are_bounded(termauth, tmp_path):
    ta = instance(termauth, tmp_path / "site", security=RAISED,
                  extra=ssh_table(max_sessions_per_source=2))
    with SshServe(ta, tmp_path / "serve.log") as server:
        ssh = SshClient(server, tmp_path / "known_hosts")
        try:
            first, second = ssh.session(), ssh.session()
            first.wait_for(CODE_ENTRY)
            second.wait_for(CODE_ENTRY)
            third = ssh.session()
            found, screen = wait_for_any(third, [third.marker, CODE_ENTRY], timeout=15)
            assert found == third.marker, f"a third session from 127.0.0.1 got through:\n{screen}"
            print(f"third session from 127.0.0.1: ssh exit {third.exit_code()}")
            # Another source address is not this one's bound.
            other = ssh.session(extra=["-b", "127.0.0.2"])
            other.wait_for(CODE_ENTRY)
            # A session that ends makes room again.
            first.close()
            wait_until(lambda: len(children(server.pid)) <= 2, CHILD_GONE_TIMEOUT)
            fourth = ssh.session()
            fourth.wait_for(CODE_ENTRY)
        finally:
            ssh.close_all()
        assert_no_children_left(server)


# --------------------------------------------------------------------------
# 9: measurement


class PtySsh:
    """ssh -t on a pseudo-terminal of its own (80x24), read directly: many at once
    without tmux. `first_frame` is the seconds from start until the code entry screen's
    text arrived."""

    ESCAPES = re.compile(rb"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[()][0-9A-Za-z]|[=>78DEHMNOZc])")
    WANTED = re.sub(r"\s", "", CODE_ENTRY)

    def __init__(self, argv, env):
        import fcntl
        import struct
        import termios
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        self.started = time.monotonic()
        self.process = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env,
                                        start_new_session=True, close_fds=True)
        os.close(slave)
        os.set_blocking(self.master, False)
        self.raw = b""
        self.first_frame: float | None = None

    def feed(self) -> bool:
        """Reads what is there; False once the terminal is closed (ssh exited)."""
        try:
            chunk = os.read(self.master, 65536)
        except BlockingIOError:
            return True
        except OSError:
            return False
        if not chunk:
            return False
        self.raw += chunk
        if self.first_frame is None:
            text = self.ESCAPES.sub(b"", self.raw).decode(errors="replace")
            if self.WANTED in re.sub(r"\s", "", text):
                self.first_frame = time.monotonic() - self.started
        return True

    def text(self) -> str:
        return self.ESCAPES.sub(b"", self.raw).decode(errors="replace")

    def close(self) -> None:
        kill(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        os.close(self.master)


SESSIONS = 40


@pytest.mark.measurement
def test_measure_forty_concurrent_sessions(termauth, tmp_path):
    ta = instance(termauth, tmp_path / "site", security=RAISED,
                  extra=ssh_table(max_sessions=64, max_sessions_per_source=64))
    with SshServe(ta, tmp_path / "serve.log") as server:
        ssh = SshClient(server, tmp_path / "known_hosts")
        ssh.run(tty="-T")  # records the host key once, rather than 40 writers at once
        idle_rss = rss_kib(server.pid)
        env = dict(os.environ, **ENV)
        sessions: list[PtySsh] = []
        selector = selectors.DefaultSelector()
        try:
            for _ in range(SESSIONS):
                s = PtySsh(ssh.argv(), env)
                sessions.append(s)
                selector.register(s.master, selectors.EVENT_READ, s)
            deadline = time.monotonic() + 45
            while (time.monotonic() < deadline and selector.get_map()
                   and any(s.first_frame is None for s in sessions)):
                for key, _ in selector.select(timeout=0.2):
                    if not key.data.feed():
                        selector.unregister(key.fd)
            time.sleep(0.5)  # the last frames settle before memory is read
            server_rss = rss_kib(server.pid)
            below = descendants(server.pid)
            direct = children(server.pid)
            child_rss = {pid: rss_kib(pid) for pid in below}
            reached = [s.first_frame for s in sessions if s.first_frame is not None]
        finally:
            selector.close()
            for s in sessions:
                s.close()

        sizes = [v for v in child_rss.values() if v]
        figures = {
            "sessions": SESSIONS,
            "reached_first_frame": len(reached),
            "first_frame_seconds": {
                "median": round(median(reached), 3) if reached else None,
                "p90": round(sorted(reached)[int(0.9 * (len(reached) - 1))], 3) if reached else None,
                "min": round(min(reached), 3) if reached else None,
                "max": round(max(reached), 3) if reached else None,
            },
            "server_rss_kib": {"idle": idle_rss, "with_sessions": server_rss},
            "children": {
                "direct": len(direct),
                "all_descendants": len(below),
                "rss_kib_median": median(sizes),
                "rss_kib_max": max(sizes) if sizes else None,
                "rss_kib_total": sum(sizes),
                "rss_kib_each": sizes,
            },
        }
        print("\nSSH, 40 concurrent sessions:\n" + json.dumps(figures, indent=2))
        folder = os.environ.get("TERMAUTH_MEASUREMENTS")
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            (Path(folder) / "ssh.json").write_text(json.dumps(figures, indent=2) + "\n")

        late = [i for i, s in enumerate(sessions) if s.first_frame is None]
        assert not late, (f"{len(late)} of {SESSIONS} sessions never showed the code entry screen; "
                          f"one of them got:\n"
                          f"{sessions[late[0]].text()[-1500:]}")
        assert len(below) >= SESSIONS, f"{len(below)} processes below the server for {SESSIONS} sessions"
        assert server_rss and server_rss < 2_000_000, server_rss
        assert_no_children_left(server, timeout=20)
