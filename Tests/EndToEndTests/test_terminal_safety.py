"""Terminal safety, byte for byte.

test_terminal_ui.py looks at what tmux *shows* after hostile text went through the UI.
These tests look at what the program *writes*: `termauth authorize` runs under a real
pseudo-terminal (80x24, TERM=xterm-256color) and every byte it sends to the terminal is
kept and searched for the hostile sequences that were registered through the command
line: CSI and OSC escapes (window title, hyperlink), C1 controls, carriage returns,
bidirectional overrides and zero-width characters. The bytes are then replayed into a
throw-away tmux to check what a person would see: the real client id and redirect host,
not a screen repainted by a client.

ncurses writes escape sequences of its own (CSI, `ESC ( B`, `ESC =`), and even a bare
`\\r`, so the checks name the hostile payloads by the markers around them, plus what
ncurses never writes: OSC/DCS/APC strings, BEL, C1 controls and the invisible characters.
"""
from __future__ import annotations

import base64
import contextlib
import fcntl
import hashlib
import json
import os
import re
import select
import shutil
import signal
import struct
import subprocess
import termios
import time
import uuid
from urllib.parse import urlencode

import pytest
import requests

from conftest import ALICE, ALICE_PASSWORD, Loopback, unique

ROWS, COLUMNS = 24, 80

# What TermAuth promises to strip from text it did not write (README, "The terminal UI";
# Sanitized.isDangerous): C0, DEL, C1, zero-width characters, separators, bidi controls.
DANGEROUS = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")

# Hostile fragments. Each sits between two copies of its marker so the test can tell
# exactly where it would have landed; markers start with "Z", which no hex id contains.
FRAGMENTS = {
    "ZA1": "\x1b[2J\x1b[H",               # CSI: clear the screen, cursor home
    "ZA2": "\x1b]0;PWNED-BEL\x07",        # OSC 0: set the window title, BEL-terminated
    "ZB1": "\x1b]2;PWNED-ST\x1b\\",       # OSC 2: set the window title, ST-terminated
    "ZB2": "\u009b2J",                    # C1 CSI (U+009B): clear the screen
    "ZB3": "\u0085",                      # C1 NEL (U+0085): next line
    "ZC1": "\r",                          # carriage return: overwrite the line from column 0
    "ZC2": "\u202e",                      # RIGHT-TO-LEFT OVERRIDE
    "ZC3": "\u2066",                      # LEFT-TO-RIGHT ISOLATE
    "ZC4": "\u200b",                      # ZERO WIDTH SPACE
    "ZC5": "\ufeff",                      # ZERO WIDTH NO-BREAK SPACE (BOM)
    "ZD1": "\x1b[31m",                    # SGR: red text
    "ZD2": "\u202e",
    "ZD3": "\u200b",
    "ZD4": "\x1b]8;;x:\x1b\\",            # OSC 8: hyperlink
    # Typed into the username field of the sign-in screen (Esc and Enter cannot be typed as text).
    "ZT1": "\u202e\u200b\u009b\u0085\ufeff\u2066",
    # The authorization request's state, which must come back to the client byte for byte.
    "ZS1": "\x1b]0;PWNED-STATE\x07\u202e\u009b",
    # The client application's answer to the delivery, whose first line TermAuth prints.
    "ZR1": "\x1b]0;PWNED-APP\x07\x1b[2J\u202e\u009b\u200b",
    # A username sent to the token endpoint with the password grant, kept in the audit log.
    "ZP1": "\x1b[2J\x1b]0;PWNED-PW\x07\u202e\u009b\r",
}


def hostile(*markers: str) -> str:
    return " ".join(f"{m}{FRAGMENTS[m]}{m}" for m in markers)


# Scope descriptions (and one translation) carrying the fragments; short enough that
# the consent screen shows each one whole at 80 columns.
SCOPE_TEXT = {
    "a": hostile("ZA1", "ZA2"),
    "b": hostile("ZB1", "ZB2", "ZB3"),
    "c": hostile("ZC1", "ZC2", "ZC3", "ZC4", "ZC5"),
}
TRANSLATED = hostile("ZD1", "ZD2", "ZD3", "ZD4")  # the "de" translation of scope d
TYPED_USERNAME = hostile("ZT1")
STATE = hostile("ZS1")
APP_BODY = hostile("ZR1") + " ok\n"
PASSWORD_GRANT_USERNAME = hostile("ZP1")

CLIENT_NAME = "Trusted Bank 授权"


# --------------------------------------------------------------------------
# Checks


# The exact bytes each payload would leave in the output had it been passed through.
# (ncurses writes escape sequences and `\r` of its own, but never right after or before
# a "Z" marker, so these cannot match what ncurses writes.)
HOSTILE_BYTES = [ctx.encode() for m, f in FRAGMENTS.items() for ctx in (m + f, f + m)]


def assert_terminal_stream_inert(raw: bytes, where: str) -> None:
    """What a curses program may write, minus anything a payload could have smuggled in."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise AssertionError(f"{where}: output is not valid UTF-8 ({exc}); "
                             f"a stray 0x80-0x9F byte is a C1 control on 8-bit terminals") from None
    for seq, what in [(b"\x1b]", "OSC"), (b"\x1bP", "DCS"), (b"\x1b_", "APC"), (b"\x1b^", "PM"),
                      (b"\x1bX", "SOS"), (b"\x07", "BEL")]:
        at = raw.find(seq)
        assert at < 0, f"{where}: {what} {seq!r} written at byte {at}: {raw[max(0, at - 40):at + 40]!r}"
    for match in re.finditer("[\x80-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]", text):
        raise AssertionError(f"{where}: U+{ord(match.group()):04X} written: {text[max(0, match.start() - 30):match.end() + 30]!r}")
    for sequence in HOSTILE_BYTES:
        at = raw.find(sequence)
        assert at < 0, f"{where}: hostile bytes {sequence!r} written: {raw[max(0, at - 40):at + 40]!r}"


def assert_plain_output_inert(raw: bytes, where: str) -> None:
    """Line-oriented command output: no escape, control or invisible character at all."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise AssertionError(f"{where}: output is not valid UTF-8 ({exc})") from None
    for match in DANGEROUS.finditer(text):
        if match.group() == "\n":
            continue
        raise AssertionError(f"{where}: U+{ord(match.group()):04X} in output: "
                             f"{text[max(0, match.start() - 40):match.end() + 40]!r}")


def assert_json_output_inert(raw: bytes, where: str) -> None:
    """JSON escapes C0 controls itself (`\\u001b`); C1 controls, bidi overrides and
    zero-width characters it leaves as they are, so they reach the terminal."""
    assert_plain_output_inert(raw, where)
    json.loads(raw)


def run_bytes(termauth, *args: str, input: bytes | None = None) -> subprocess.CompletedProcess:
    argv = [str(termauth.binary), *args, "--db", str(termauth.db), "--config", str(termauth.config)]
    return subprocess.run(argv, input=input, capture_output=True, timeout=60, env=termauth.env)


def listing(termauth, *args: str) -> bytes:
    proc = run_bytes(termauth, *args)
    assert proc.returncode == 0, f"termauth {' '.join(args)} exited {proc.returncode}: {proc.stderr!r}"
    return proc.stdout + proc.stderr


# --------------------------------------------------------------------------
# A program under a pseudo-terminal


class PtyProgram:
    """Runs argv with a pty as its terminal and keeps every byte it writes there."""

    def __init__(self, argv: list[str], env: dict, rows: int = ROWS, columns: int = COLUMNS):
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        try:
            self.process = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env,
                                            start_new_session=True, close_fds=True)
        finally:
            os.close(slave)
        self.output = bytearray()
        self.eof = False

    def _pump(self, timeout: float) -> bool:
        if self.eof:
            return False
        ready, _, _ = select.select([self.master], [], [], timeout)
        if not ready:
            return False
        try:
            data = os.read(self.master, 65536)
        except OSError:  # EIO once the program has closed the terminal
            data = b""
        if not data:
            self.eof = True
            return False
        self.output += data
        return True

    def settle(self, quiet: float = 0.3) -> int:
        """Reads until the program has been silent for `quiet` seconds; returns the length."""
        while self._pump(quiet):
            pass
        return len(self.output)

    def wait_for(self, needle: bytes, since: int = 0, timeout: float = 30.0) -> int:
        deadline = time.monotonic() + timeout
        while needle not in self.output[since:]:
            if self.eof or time.monotonic() > deadline:
                raise AssertionError(
                    f"{needle!r} never written (exit {self.process.poll()}); last bytes: {bytes(self.output[-600:])!r}")
            self._pump(0.1)
        return self.settle()

    def send(self, data: bytes) -> None:
        os.write(self.master, data)

    def finish(self, timeout: float = 30.0) -> int:
        deadline = time.monotonic() + timeout
        while not self.eof and time.monotonic() < deadline:
            self._pump(0.2)
        return self.process.wait(timeout=max(1.0, deadline - time.monotonic()))

    def close(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        os.close(self.master)


def render(raw: bytes, tmp_path, rows: int = ROWS, columns: int = COLUMNS) -> str:
    """What a terminal shows after `raw`: the bytes replayed into a private tmux server."""
    if shutil.which("tmux") is None:
        pytest.skip("tmux is needed to render the captured bytes (bash Tests/setup.sh installs it)")
    path = tmp_path / f"replay-{uuid.uuid4().hex[:8]}.bin"
    path.write_bytes(raw)
    socket = f"termauth-replay-{uuid.uuid4().hex[:8]}"
    channel = f"{socket}-done"
    tmux = ["tmux", "-L", socket, "-f", "/dev/null"]
    subprocess.run([*tmux, "new-session", "-d", "-s", "replay", "-x", str(columns), "-y", str(rows),
                    "sh", "-c", f"stty -onlcr; cat '{path}'; tmux wait-for -S {channel}; exec sleep 60"], check=True)
    socket_path = subprocess.run([*tmux, "display-message", "-p", "#{socket_path}"],
                                 capture_output=True, text=True).stdout.strip()
    try:
        subprocess.run([*tmux, "wait-for", channel], check=True, timeout=20)
        return subprocess.run([*tmux, "capture-pane", "-p", "-t", "replay"],
                              capture_output=True, text=True, check=True).stdout
    finally:
        subprocess.run([*tmux, "kill-server"], capture_output=True)
        if socket_path:
            with contextlib.suppress(OSError):
                os.unlink(socket_path)


# --------------------------------------------------------------------------
# The client application: a loopback redirect receiver whose answer is hostile too


def hostile_app() -> Loopback:
    """The application's own answer page is hostile text too."""
    return Loopback("/callback", body=APP_BODY.encode(), content_type="text/plain; charset=utf-8")


# --------------------------------------------------------------------------
# Tests


def test_hostile_registrations_are_refused_cleanly_or_stored_clean(seeded):
    """Client names, client ids, scope names and usernames are checked at registration;
    display names are cleaned. Refusals must not echo the hostile text back."""
    marker = unique("Zref")
    for fragment in dict.fromkeys(FRAGMENTS.values()):
        name = f"{marker}{fragment}App"
        proc = run_bytes(seeded, "client", "add", "--name", name, "--redirect-uri", "http://127.0.0.1/callback", "--json")
        assert proc.returncode == 2 and b"printable" in proc.stderr, (fragment, proc.returncode, proc.stderr)
        assert_plain_output_inert(proc.stdout + proc.stderr, f"client add --name {name!r}")
        for args in (["client", "add", "--name", "Plain", "--id", f"id{fragment}x", "--redirect-uri", "http://127.0.0.1/cb"],
                     ["scope", "add", f"s{fragment}x", "--description", "plain"],
                     ["user", "add", f"u{fragment}x", "--password-stdin"]):
            proc = run_bytes(seeded, *args, input=b"a long enough password\n")
            assert proc.returncode == 2, (args, proc.returncode, proc.stderr)
            assert_plain_output_inert(proc.stdout + proc.stderr, " ".join(args))

    # Invisible characters at either end: refused, or trimmed so that nothing invisible is stored.
    for name in [f"\u200b{marker}-edge", f"{marker}-edge\ufeff", f"\u2066{marker}-edge\u202e"]:
        proc = run_bytes(seeded, "client", "add", "--name", name, "--redirect-uri", "http://127.0.0.1/callback", "--json")
        assert proc.returncode in (0, 2), (name, proc.returncode, proc.stderr)
        assert_plain_output_inert(proc.stdout + proc.stderr, f"client add --name {name!r}")

    proc = run_bytes(seeded, "client", "list", "--json")
    mine = [c["name"] for c in json.loads(proc.stdout) if marker in c["name"]]
    assert not [n for n in mine if n.endswith("App")], f"a hostile client name was stored: {mine!r}"
    assert not [n for n in mine if DANGEROUS.search(n)], f"an invisible character was stored: {mine!r}"

    user = unique("zdisplay")
    proc = run_bytes(seeded, "user", "add", user, "--display-name", hostile("ZA1", "ZB2", "ZC2", "ZC4"),
                     "--password-stdin", input=b"a long enough password\n")
    assert proc.returncode == 0, proc.stderr
    assert_plain_output_inert(listing(seeded, "user", "list"), "user list")
    shown = next(u for u in json.loads(listing(seeded, "user", "list", "--json")) if u["username"] == user)
    assert not DANGEROUS.search(shown["display_name"]), shown


@pytest.mark.parametrize("colour", [True, False], ids=["colour", "no-colour"])
def test_authorize_writes_no_hostile_bytes_to_the_terminal(seeded, tmp_path, colour):
    prefix = unique("zsafe")
    scopes = {key: f"{prefix}-{key}" for key in "abcd"}
    seeded.run("scope", "add", scopes["a"], "--description", SCOPE_TEXT["a"], "--required")
    seeded.run("scope", "add", scopes["b"], "--description", SCOPE_TEXT["b"])
    seeded.run("scope", "add", scopes["c"], "--description", SCOPE_TEXT["c"])
    seeded.run("scope", "add", scopes["d"], "--description", "ZD0 untranslated", "--translation", f"de={TRANSLATED}")
    client = seeded.add_client(CLIENT_NAME, client_id=prefix, redirect_uris=["http://127.0.0.1/callback"],
                               scopes=list(scopes.values()))
    client_id = client["client_id"]

    env = {k: v for k, v in seeded.env.items()
           if k not in ("LC_ALL", "LC_MESSAGES", "LC_CTYPE", "COLUMNS", "LINES", "TERMAUTH_THEME", "NO_COLOR")}
    # de_DE picks the hostile translation of scope d; when that locale is not installed,
    # TermAuth falls back to C.UTF-8 for ncurses and still uses "de" for descriptions.
    env.update(TERM="xterm-256color", LANG="de_DE.UTF-8")
    if not colour:
        env["NO_COLOR"] = "1"

    verifier = base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode()
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()

    with hostile_app() as app:
        url = "http://127.0.0.1:1/authorize?" + urlencode({
            "response_type": "code", "client_id": client_id, "redirect_uri": app.redirect_uri,
            "scope": " ".join(scopes.values()), "state": STATE,
            "code_challenge": challenge, "code_challenge_method": "S256"})
        argv = [str(seeded.binary), "authorize", url, "--issuer", "http://127.0.0.1:1",
                "--db", str(seeded.db), "--config", str(seeded.config)]
        ui = PtyProgram(argv, env)
        try:
            # Sign-in screen, then a refused attempt with a hostile username typed in.
            login_end = ui.wait_for(b"Sign in")
            ui.send(TYPED_USERNAME.encode() + b"\r")
            ui.settle()
            ui.send(b"not the password\r")
            ui.wait_for(b"incorrect username", since=login_end)
            # Back to the username field (Tab wraps: Sign in, Cancel, Username), clear it, sign in.
            ui.send(b"\t\t\t" + b"\x7f" * 40)
            ui.settle()
            ui.send(ALICE.encode() + b"\r")
            ui.settle()
            mark = len(ui.output)
            ui.send(ALICE_PASSWORD.encode() + b"\r")
            consent_end = ui.wait_for(b"Allow access?", since=mark)

            # While the request is parked, the operator's listing must be inert too.
            pending = listing(seeded, "requests", "list")
            assert client_id.encode() in pending, pending
            assert_plain_output_inert(pending, "requests list")

            ui.send(b"d")
            code = ui.finish()
        finally:
            ui.close()
        assert code == 1, f"deny should exit 1, got {code}; last bytes: {bytes(ui.output[-400:])!r}"
        raw = bytes(ui.output)
        assert app.received.is_set(), "the application never got the answer"
        assert app.query.get("error") == "access_denied", app.query
        assert app.query.get("state") == STATE, "state must come back byte for byte"

    # 1. The raw bytes: nothing hostile, whichever screen wrote them.
    assert_terminal_stream_inert(raw[:login_end], "sign-in screen")
    assert_terminal_stream_inert(raw[login_end:consent_end], "failed sign-in and consent screen")
    assert_terminal_stream_inert(raw[consent_end:], "after the UI (decision and delivery lines)")

    # 2. What a person sees: the real client id and host, the hostile text shown inert.
    login = render(raw[:login_end], tmp_path)
    assert "TermAuth · Sign in" in login, login
    assert f"{CLIENT_NAME} ({client_id})" in login, login
    assert f"your answer at: http://127.0.0.1:{app.port}" in login, login
    assert "Username" in login and "Password" in login and "[ Sign in ]" in login, login

    consent = render(raw[:consent_end], tmp_path)
    assert "TermAuth · Allow access?" in consent, consent
    assert f"{CLIENT_NAME} (name chosen by the client) wants to:" in consent, consent
    assert f"client id {client_id} · code " in consent, consent
    assert f"answer goes to http://127.0.0.1:{app.port}" in consent, consent
    assert "Deny if someone sent you this code." in consent, consent
    assert f"signed in as {ALICE}" in consent, consent
    assert "Remember this decision" in consent and "Approve" in consent and "Deny" in consent, consent
    lines = consent.splitlines()
    for key, text in [*SCOPE_TEXT.items(), ("d", TRANSLATED)]:
        line = next((l for l in lines if f"[{scopes[key]}]" in l), None)
        assert line is not None, f"scope {scopes[key]} not on the consent screen:\n{consent}"
        for m in re.findall(r"Z[A-D]\d", text):
            # Both copies of the marker on the scope's own line, only printable text between:
            # the fragment was drawn inert (or dropped), and nothing moved the cursor.
            assert re.search(rf"{m}[ -~]*{m}", line), f"{m} not shown inert on {line!r}"
    assert "ZD0" not in consent, "the de translation should have been shown"

    final = render(raw, tmp_path)
    assert f"denied: {CLIENT_NAME} is told access_denied" in final, final
    delivered = next((l for l in final.splitlines() if "delivered to the application" in l), "")
    assert f"127.0.0.1:{app.port}: HTTP 200 ZR1" in delivered and re.search(r"ZR1[ -~]*ZR1", delivered), final

    # 3. The operator's listings.
    for args in (["audit", "--limit", "200"], ["client", "list"], ["scope", "list"], ["requests", "list"],
                 ["user", "list"], ["consent", "list"]):
        assert_plain_output_inert(listing(seeded, *args), " ".join(args))
    audit = listing(seeded, "audit", "--limit", "200").decode()
    assert re.search(r"login\.failed.*ZT1ZT1", audit), "the typed username should be in the audit log, cleaned"


def test_hostile_username_at_the_token_endpoint_reaches_the_audit_log_inert(seeded, server):
    client = seeded.add_client(unique("zsafe-pw"), grants=["password"], scopes=["profile"])
    answer = requests.post(server.url("/token"), auth=(client["client_id"], client["client_secret"]),
                           data={"grant_type": "password", "username": PASSWORD_GRANT_USERNAME,
                                 "password": "not the password"}, timeout=10)
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_grant", answer.text
    assert_plain_output_inert(answer.content, "POST /token error body")

    audit = listing(seeded, "audit", "--limit", "200")
    assert_plain_output_inert(audit, "audit")
    assert re.search(rb"login\.failed.*ZP1[ -~]*ZP1", audit), audit[-2000:]
    audit_json = listing(seeded, "audit", "--limit", "200", "--json")
    assert_json_output_inert(audit_json, "audit --json")


def test_json_listings_carry_no_c1_bidi_or_zero_width_characters(seeded):
    """`--json` output is printed to a terminal as often as it is piped. JSON escapes C0
    controls (ESC becomes \\u001b) but not C1 controls (U+009B is CSI to terminals that
    honour UTF-8-encoded C1) or bidi/zero-width characters; `audit --json` and
    `requests list --json` clean their strings, every other listing must too."""
    name = unique("zsafe-json")
    seeded.run("scope", "add", name, "--description", hostile("ZB2", "ZB3", "ZC2", "ZC4"),
               "--translation", f"de={hostile('ZC3', 'ZC5')}")
    for args in (["scope", "list", "--json"], ["client", "list", "--json"], ["user", "list", "--json"],
                 ["consent", "list", "--json"], ["requests", "list", "--json"], ["audit", "--json"]):
        assert_json_output_inert(listing(seeded, *args), " ".join(args))
