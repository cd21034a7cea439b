"""Helpers for the tests of the SSH front end (test_ssh.py, issue 18).

A test of SSH owns its server: `termauth serve --port 0 --ssh-port 0` over a
database and settings file of its own (hardening_helpers.instance), started by
`SshServe`, which reads both lines the server prints:

    listening on http://HOST:PORT
    ssh listening on HOST:PORT (host key SHA256:<base64>)

People are the real OpenSSH client: `SshClient` builds its command lines (a
known_hosts file of the test's own, no ~/.ssh/config, no agent, only the keys
named), runs it headless for the refusals, or in tmux (TmuxSession) for the
screens. The rest reads /proc: the server's children, their memory, zombies.
"""

from __future__ import annotations

import os
import queue
import re
import shutil
import signal
import statistics
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from conftest import SERVER_START_TIMEOUT, TermAuth
from server_process import ServeProcess
from tmux_driver import TmuxSession

SSH = shutil.which("ssh")
SSH_KEYGEN = shutil.which("ssh-keygen")
SFTP = shutil.which("sftp")
SSH_AGENT = shutil.which("ssh-agent")

needs_openssh = pytest.mark.skipif(not (SSH and SSH_KEYGEN),
                                   reason="needs the OpenSSH client (ssh and ssh-keygen on PATH)")

# What a person's terminal sends: ssh passes TERM in its pty request and LANG by SendEnv.
ENV = {"LANG": "C.UTF-8", "TERM": "xterm-256color"}

LISTENING = re.compile(r"listening on (http://\S+)")
SSH_LISTENING = re.compile(r"ssh listening on (\S+):(\d+) \(host key (SHA256:[A-Za-z0-9+/]+)\)")


# --------------------------------------------------------------------------
# Settings


def ssh_table(**values) -> str:
    """An `[ssh]` settings table: ssh_table(max_sessions=64, public_address="a:22")."""
    lines = ["[ssh]"]
    for key, value in values.items():
        if isinstance(value, bool):
            lines.append(f"{key} = {'true' if value else 'false'}")
        elif isinstance(value, (int, float)):
            lines.append(f"{key} = {value}")
        else:
            text = str(value).replace("\\", "\\\\").replace('"', '\\"')
            lines.append(f'{key} = "{text}"')
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------
# The server


class _Lines:
    """Every line of a stream, read by a thread so the pipe never fills."""

    def __init__(self, stream):
        self.queue: queue.Queue = queue.Queue()
        self.seen: list[str] = []

        def pump():
            for line in iter(stream.readline, ""):
                self.queue.put(line)
            self.queue.put(None)

        threading.Thread(target=pump, name="serve-stdout", daemon=True).start()

    def next(self, deadline: float) -> str | None:
        try:
            line = self.queue.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            return None
        if line is not None:
            self.seen.append(line)
        return line


class SshServe(ServeProcess):
    """`termauth serve --port 0 --ssh-port 0` on `termauth.db`; `ssh_host`,
    `ssh_port` and `host_key` (SHA256:...) come from its second stdout line.
    Restartable, like ServeProcess: `stop()` then `start()` again."""

    def __init__(self, termauth: TermAuth, log_path: Path, log_level: str | None = None):
        super().__init__(termauth, log_path, log_level)
        self.ssh_host = ""
        self.ssh_port = 0
        self.host_key = ""
        self.stdout: list[str] = []

    @property
    def port(self) -> int:
        """The HTTP port."""
        return urlsplit(self.base_url).port

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except FileNotFoundError:
            return "(no server log)"

    def start(self) -> "SshServe":
        t = self.termauth
        argv = [str(t.binary), "serve", "--db", str(t.db), "--config", str(t.config),
                "--host", "127.0.0.1", "--port", "0", "--ssh-port", "0"]
        if self.log_level:
            argv += ["--log-level", self.log_level]
        with open(self.log_path, "a") as log:
            self.process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=log,
                                            stdin=subprocess.DEVNULL, text=True, env=t.env)
        lines = _Lines(self.process.stdout)
        self.stdout = lines.seen
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        first = lines.next(deadline)
        second = lines.next(deadline) if first else None
        http = LISTENING.search(first or "")
        ssh = SSH_LISTENING.search(second or "")
        if not (http and ssh):
            self.stop()
            raise AssertionError(
                "`termauth serve --ssh-port 0` did not print `listening on http://HOST:PORT` then "
                f"`ssh listening on HOST:PORT (host key SHA256:...)`; got {first!r} and {second!r} "
                f"(exit code {self.process.poll()}):\n{self.log_tail()}")
        self.base_url = http.group(1).rstrip("/")
        self.ssh_host, self.ssh_port, self.host_key = ssh.group(1), int(ssh.group(2)), ssh.group(3)
        return self.wait_healthy()


# --------------------------------------------------------------------------
# Keys


def make_key(directory: Path, name: str, kind: str = "ed25519") -> Path:
    """A new key pair without a passphrase: `directory/name` and `name.pub`."""
    path = directory / name
    size = ["-b", "2048"] if kind == "rsa" else []
    args = [SSH_KEYGEN, "-q", "-t", kind, *size, "-N", "", "-C", f"{name}@termauth-tests", "-f", str(path)]
    subprocess.run(args, check=True, capture_output=True, timeout=60)
    return path


def fingerprint(key: Path) -> str:
    """SHA256:... of a key (private or public file), as ssh-keygen prints it."""
    pub = key if key.suffix == ".pub" else Path(str(key) + ".pub")
    out = subprocess.run([SSH_KEYGEN, "-l", "-E", "sha256", "-f", str(pub)], check=True,
                         capture_output=True, text=True, timeout=30).stdout
    return out.split()[1]


def known_host_fingerprint(known_hosts: Path, host: str, port: int) -> str | None:
    """The SHA256 fingerprint the client recorded for [host]:port, or None."""
    name = host if port == 22 else f"[{host}]:{port}"
    proc = subprocess.run([SSH_KEYGEN, "-l", "-E", "sha256", "-F", name, "-f", str(known_hosts)],
                          capture_output=True, text=True, timeout=30)
    for line in proc.stdout.splitlines():
        if line.startswith("#"):
            continue
        match = re.search(r"\bSHA256:[A-Za-z0-9+/]+", line)
        if match:
            return match.group(0)
    return None


# --------------------------------------------------------------------------
# The client


@dataclass
class SshClient:
    """The OpenSSH client pointed at one server, with the test's own known_hosts."""

    server: SshServe
    known_hosts: Path
    options: tuple = ()
    sessions: list = field(default_factory=list)

    def argv(self, *command: str, user: str = "nobody", key: Path | None = None,
             tty: str | None = "-t", extra=(), program: str | None = None) -> list[str]:
        # ssh takes the first value given for an option: `extra` goes first to override.
        argv = [program or SSH, *self.options, *extra, "-F", "/dev/null",
                "-o", f"UserKnownHostsFile={self.known_hosts}",
                "-o", "StrictHostKeyChecking=accept-new",
                "-o", "IdentitiesOnly=yes",
                "-o", "PreferredAuthentications=publickey,none",
                # No agent of whoever runs the tests, and no default identity files: only -i.
                "-o", "IdentityAgent=none",
                *(["-o", "IdentityFile=none"] if key is None else ["-i", str(key)]),
                "-o", "BatchMode=yes",
                "-o", "ConnectTimeout=10",
                "-o", "SendEnv=LANG"]
        if program and program.endswith("sftp"):
            argv += ["-P", str(self.server.ssh_port)]
        else:
            argv += ["-p", str(self.server.ssh_port)]
            if tty:
                argv.append(tty)
        argv.append(f"{user}@{self.server.ssh_host}")
        argv += list(command)
        return argv

    def run(self, *command: str, user: str = "nobody", key: Path | None = None,
            tty: str | None = None, extra=(), timeout: float = 30,
            input: str | None = None) -> subprocess.CompletedProcess:
        """ssh without a terminal (stdin a pipe or /dev/null), waited for."""
        argv = self.argv(*command, user=user, key=key, tty=tty, extra=extra)
        return subprocess.run(argv, capture_output=True, text=True, timeout=timeout,
                              input=input, stdin=None if input is not None else subprocess.DEVNULL,
                              start_new_session=True)

    def session(self, *command: str, user: str = "nobody", key: Path | None = None,
                extra=(), width: int = 80, height: int = 24) -> TmuxSession:
        """ssh -t in a detached tmux window of `width`x`height`: a person's terminal."""
        tmux = TmuxSession(self.argv(*command, user=user, key=key, extra=extra), env=ENV,
                           width=width, height=height)
        self.sessions.append(tmux)
        return tmux

    def close_all(self) -> None:
        for tmux in self.sessions:
            tmux.close()
        self.sessions.clear()


# --------------------------------------------------------------------------
# Screens


def wait_for_any(tmux: TmuxSession, texts, timeout: float = 30.0) -> tuple[str, str]:
    """Wait until one of `texts` is on the screen (the pane's exit marker counts
    when given); returns (the text found, the screen)."""
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        last = tmux.screen()
        for text in texts:
            if text in last:
                return text, last
        time.sleep(0.1)
    raise AssertionError(f"screen never showed any of {list(texts)!r} within {timeout:.0f} s; "
                         f"last screen:\n{last}")


def ended(tmux: TmuxSession) -> bool:
    """True once the ssh client in the pane has exited (the pane printed its status)."""
    return tmux.marker in tmux.screen()


def leave_result(tmux: TmuxSession, key: str = "q", grace: float = 3.0) -> int:
    """The ssh exit status once the session is over. A session that ends by itself
    after the result is waited for; one that still shows the result after `grace`
    seconds gets `key` (q or Escape leave the result screen)."""
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and not ended(tmux):
        time.sleep(0.1)
    if not ended(tmux):
        tmux.press(key)
    return tmux.exit_code(timeout=20)


def type_password(tmux: TmuxSession, password: str, timeout: float = 20.0) -> str:
    """On the sign-in screen with focus on the password: type it, Enter, and wait until
    the attempt is answered — the field is cleared (the screen refused) or the screen
    changed. Returns the screen after."""
    bullets = "•" * len(password)
    tmux.type(password)
    tmux.wait_for(bullets, timeout=10)
    tmux.press("Enter")
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        last = tmux.screen()
        if bullets not in last:
            return last
        time.sleep(0.1)
    raise AssertionError(f"the password was never answered within {timeout:.0f} s:\n{last}")


def panel_box(screen: str) -> tuple[int, int, int, int] | None:
    """(top, left, bottom, right) of the panel's border: the first line holding a
    top-left corner followed by a horizontal line, its top-right corner, and the
    first bottom-left corner in the same column below. Any border style of the themes."""
    lines = screen.split("\n")
    for top, line in enumerate(lines):
        for left, ch in enumerate(line):
            if ch not in _CORNERS or left + 1 >= len(line) or line[left + 1] not in "─═-":
                continue
            top_right, bottom_left = _CORNERS[ch]
            right = line.rfind(top_right)
            if right <= left + 1:
                continue
            for bottom in range(top + 1, len(lines)):
                if len(lines[bottom]) > left and lines[bottom][left] == bottom_left:
                    return top, left, bottom, right
    return None


_CORNERS = {"┌": ("┐", "└"), "╭": ("╮", "╰"), "╔": ("╗", "╚"), "+": ("+", "+")}


# --------------------------------------------------------------------------
# Processes


def _stat(pid: int) -> tuple[int, str, str] | None:
    """(ppid, state, comm) from /proc/PID/stat, or None if it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    head, _, rest = text.rpartition(")")
    comm = head.split("(", 1)[1] if "(" in head else ""
    fields = rest.split()
    return int(fields[1]), fields[0], comm


def children(pid: int) -> list[int]:
    """Direct children of `pid`, zombies included."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            st = _stat(int(entry))
            if st and st[0] == pid:
                found.append(int(entry))
    return sorted(found)


def descendants(pid: int) -> list[int]:
    """Every process below `pid` (children, their children, ...)."""
    parent_of = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            st = _stat(int(entry))
            if st:
                parent_of[int(entry)] = st[0]
    below, frontier = [], [pid]
    while frontier:
        nxt = [p for p, pp in parent_of.items() if pp in frontier]
        below += nxt
        frontier = nxt
    return sorted(below)


def zombies(pid: int) -> list[int]:
    return [c for c in children(pid) if (_stat(c) or (0, "", ""))[1] == "Z"]


def describe(pids) -> str:
    out = []
    for p in pids:
        st = _stat(p)
        try:
            cmd = Path(f"/proc/{p}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            cmd = ""
        out.append(f"{p} state={st[1] if st else '?'} comm={st[2] if st else '?'} {cmd.strip()}")
    return "\n".join(out) or "(none)"


def rss_kib(pid: int) -> int | None:
    """VmRSS of a process in KiB, None if it is gone (or a zombie)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        return None
    return None


def wait_until(predicate, timeout: float, interval: float = 0.1):
    """Poll `predicate()` until it returns something true; returns that, or the last
    (false) value after `timeout`."""
    deadline = time.monotonic() + timeout
    value = predicate()
    while not value and time.monotonic() < deadline:
        time.sleep(interval)
        value = predicate()
    return value


def pane_pid(tmux: TmuxSession) -> int:
    out = subprocess.run(["tmux", "display-message", "-p", "-t", tmux.name, "#{pane_pid}"],
                         capture_output=True, text=True, check=True).stdout
    return int(out.strip())


def ssh_client_pid(tmux: TmuxSession, timeout: float = 10.0) -> int:
    """The pid of the `ssh` client running in the tmux pane."""
    shell = pane_pid(tmux)
    found = wait_until(lambda: [c for c in children(shell) if (_stat(c) or (0, "", ""))[2] == "ssh"],
                       timeout)
    assert found, f"no ssh client under the pane's shell {shell}:\n{describe(children(shell))}"
    return found[0]


def kill(pid: int, sig: int = signal.SIGKILL) -> None:
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


def median(values) -> float | None:
    values = list(values)
    return statistics.median(values) if values else None
