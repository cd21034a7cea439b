"""Storage faults (issue 7): the database's filesystem fills up or turns
read-only under a running server.

The promise: storage errors become 503 {"error":"temporarily_unavailable"}
with Retry-After: 1, never another 5xx, never a hang, never a dead server; a
200 means the token was committed (it introspects active afterwards, and after
the fault is gone); the server recovers by itself once the fault is gone; the
database passes `PRAGMA integrity_check`.

Needs root (mount); each test skips with the reason if it cannot mount.

Disk full runs on a 16 MiB tmpfs (4 MiB is too small: SQLite's WAL alone
grows to 4 MiB before its first automatic checkpoint).

Read-only: Linux refuses `mount -o remount,ro` while a process holds files
open for writing (EBUSY), and a running SQLite server always does. So:
- tmpfs: the refused remount leaves the server unharmed; read-only while the
  server is stopped makes `serve` refuse to start (exit 1, says why); writable
  again, it starts and every token is there.
- the way a failing disk turns read-only under a running process: ext4 on a
  loop device with errors=remount-ro, made to report an error
  (/sys/fs/ext4/DEV/trigger_fs_error). The kernel keeps it read-only until it
  is unmounted and checked, so recovery there is fsck and a restart.
"""

from __future__ import annotations

import collections
import contextlib
import os
import subprocess
import threading
import time
from pathlib import Path

import pytest
import requests

from conftest import unique
from server_process import ServeProcess, integrity_check, introspect, private_termauth

REQUEST_TIMEOUT = 10  # a storage fault must never turn into a hang


# --------------------------------------------------------------------------
# Filesystems


def _run(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run(argv, capture_output=True, text=True, timeout=60)


def _umount(path: Path) -> None:
    for _ in range(50):
        if _run("umount", str(path)).returncode == 0:
            return
        time.sleep(0.1)
    _run("umount", "-l", str(path))


@contextlib.contextmanager
def tmpfs(path: Path, size: str = "4m"):
    path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        pytest.skip("needs root to mount a tmpfs")
    r = _run("mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(path))
    if r.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {r.stderr.strip()}")
    try:
        yield path
    finally:
        _umount(path)


@contextlib.contextmanager
def ext4_on_loop(path: Path, image: Path, size_mb: int = 16):
    path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        pytest.skip("needs root to mount a loop device")
    with open(image, "wb") as f:
        f.truncate(size_mb << 20)
    r = _run("mkfs.ext4", "-q", "-F", str(image))
    if r.returncode != 0:
        pytest.skip(f"mkfs.ext4 failed: {r.stderr.strip()}")
    r = _run("mount", "-o", "loop,errors=remount-ro", str(image), str(path))
    if r.returncode != 0:
        pytest.skip(f"cannot mount ext4 on a loop device here: {r.stderr.strip()}")
    try:
        yield path
    finally:
        _umount(path)  # `mount -o loop` detaches the loop device on umount


def block_device(path: Path) -> str:
    for line in Path("/proc/self/mounts").read_text().splitlines():
        dev, mnt, *_ = line.split()
        if mnt == str(path):
            return dev
    raise AssertionError(f"{path} is not mounted")


def fill(directory: Path) -> Path:
    """Writes a filler file until the filesystem says ENOSPC, down to the byte."""
    filler = directory / "filler"
    with open(filler, "wb", buffering=0) as f:
        for chunk in (1 << 20, 1 << 16, 1 << 12, 1 << 9, 1):
            while True:
                try:
                    f.write(b"\0" * chunk)
                except OSError as exc:
                    if exc.errno != 28:
                        raise
                    break
    return filler


def free_bytes(directory: Path) -> int:
    st = os.statvfs(directory)
    return st.f_bavail * st.f_frsize


# --------------------------------------------------------------------------
# Load and bookkeeping


class Outcomes:
    """Every answer to POST /token, classified. Thread-safe."""

    def __init__(self):
        self.lock = threading.Lock()
        self.statuses: collections.Counter = collections.Counter()
        self.tokens: list[str] = []
        self.phase_of: dict[str, str] = {}
        self.when: dict[str, tuple[float, float]] = {}  # token -> (sent, answered)
        self.bad: list[str] = []

    def record(self, phase: str, r: requests.Response | BaseException,
               sent: float | None = None):
        with self.lock:
            if isinstance(r, BaseException):
                self.statuses[f"{phase}:{type(r).__name__}"] += 1
                self.bad.append(f"{phase}: {r!r}")
                return
            self.statuses[f"{phase}:{r.status_code}"] += 1
            try:
                body = r.json()
            except ValueError:
                body = {}
            if r.status_code == 200 and body.get("access_token"):
                self.tokens.append(body["access_token"])
                self.phase_of[body["access_token"]] = phase
                if sent is not None:
                    self.when[body["access_token"]] = (sent, time.monotonic())
            elif (r.status_code == 503 and body.get("error") == "temporarily_unavailable"
                  and r.headers.get("Retry-After") == "1"):
                pass
            else:
                self.bad.append(f"{phase}: {r.status_code} {dict(r.headers)} {r.text[:300]}")

    def summary(self) -> dict:
        return dict(sorted(self.statuses.items()))


def token_request(server, auth, session=None) -> requests.Response:
    return (session or requests).post(
        server.url("/token"), auth=auth, timeout=REQUEST_TIMEOUT,
        data={"grant_type": "client_credentials", "scope": "profile"})


def hammer(server, auth, outcomes: Outcomes, phase: str, seconds: float,
           threads: int = 8, during=None) -> None:
    """`threads` clients POST /token for `seconds`; `during()` runs meanwhile
    in this thread (it may change the filesystem under the server)."""
    stop = threading.Event()

    def worker():
        with requests.Session() as session:
            while not stop.is_set():
                sent = time.monotonic()
                try:
                    r = token_request(server, auth, session)
                except requests.RequestException as exc:
                    outcomes.record(phase, exc)
                    time.sleep(0.05)
                    continue
                outcomes.record(phase, r, sent)

    pool = [threading.Thread(target=worker, daemon=True) for _ in range(threads)]
    for t in pool:
        t.start()
    deadline = time.monotonic() + seconds
    if during:
        during(deadline)
    time.sleep(max(0.0, deadline - time.monotonic()))
    stop.set()
    for t in pool:
        t.join(REQUEST_TIMEOUT + 5)
        assert not t.is_alive(), "a client is still waiting on the server"


def wait_for_200(server, auth, outcomes: Outcomes, phase: str, within: float) -> float:
    """Seconds until POST /token answered 200 again (the server on its own)."""
    start = time.monotonic()
    last = None
    while time.monotonic() - start < within:
        try:
            last = token_request(server, auth)
        except requests.RequestException as exc:
            last = exc
            outcomes.record(phase, exc)
            time.sleep(0.1)
            continue
        outcomes.record(phase, last)
        if last.status_code == 200:
            return time.monotonic() - start
        time.sleep(0.1)
    detail = last if isinstance(last, BaseException) else \
        (last is not None and f"{last.status_code} {last.text[:200]}")
    raise AssertionError(f"POST /token did not answer 200 within {within} s after the "
                         f"fault was removed; answers: {outcomes.summary()}; last: {detail}")


def inactive(server, auth, tokens: list[str]) -> list[str]:
    with requests.Session() as session:
        return [t for t in tokens
                if introspect(server, auth, t, session).get("active") is not True]


def start_private(termauth, directory: Path, log: Path, durability: str | None = None):
    ta = private_termauth(termauth, directory)
    if durability:
        ta.config.write_text(ta.config.read_text() + f'\n[storage]\ndurability = "{durability}"\n')
    job = ta.add_client(unique("job"), grants=["client_credentials"], scopes=["profile"])
    auth = (job["client_id"], job["client_secret"])
    return ta, auth, ServeProcess(ta, log).start()


# --------------------------------------------------------------------------
# Disk full


def test_disk_full_is_503_and_the_server_recovers_by_itself(termauth, tmp_path):
    # Not 4 MiB: SQLite's WAL grows to 1000 pages (4 MiB) before its automatic
    # checkpoint, so on a 4 MiB filesystem the WAL alone fills it and nothing
    # a test deletes can free it (the checkpoint needs room to grow the main
    # file). 16 MiB leaves the WAL its natural size plus the database.
    with tmpfs(tmp_path / "fs", size="16m") as fs:
        ta, auth, server = start_private(termauth, fs, tmp_path / "serve.log")
        try:
            pid = server.process.pid
            outcomes = Outcomes()
            hammer(server, auth, outcomes, "before", 0.5, threads=4)
            assert not outcomes.bad, outcomes.bad[:3]

            filler = fill(fs)
            assert free_bytes(fs) == 0
            hammer(server, auth, outcomes, "full", 1.5)

            # The boundary: a little room at a time, used up at once, so some
            # commits fit and some don't, in the same group commit.
            def trickle_space(deadline):
                size = filler.stat().st_size
                while time.monotonic() < deadline and size > 0:
                    size = max(0, size - 24 * 1024)
                    os.truncate(filler, size)
                    time.sleep(0.05)
            hammer(server, auth, outcomes, "trickle", 2.0, during=trickle_space)
            fill(fs)  # full again: whatever the trickle freed is gone
            hammer(server, auth, outcomes, "full-again", 0.5)

            full_tokens = list(outcomes.tokens)
            assert server.process.poll() is None, "the server died on a full disk"
            # Reads still work on a full disk.
            assert requests.get(server.url("/healthz"), timeout=5).status_code == 200
            sample = full_tokens[-5:]
            assert not inactive(server, auth, sample), "a 200 token is not active (disk full)"

            filler.unlink()
            recovered_in = wait_for_200(server, auth, outcomes, "freed", within=5)
            hammer(server, auth, outcomes, "after", 0.5, threads=4)

            print(f"\ndisk full: answers {outcomes.summary()}; "
                  f"recovered {recovered_in:.2f} s after the filler was deleted; "
                  f"{len(outcomes.tokens)} tokens answered 200")
            assert not outcomes.bad, \
                f"{len(outcomes.bad)} answers neither 200 nor 503 temporarily_unavailable " \
                f"with Retry-After: 1, e.g. {outcomes.bad[:3]}"
            assert outcomes.statuses["full:503"] > 0, \
                f"a full disk never produced a 503: {outcomes.summary()}"
            assert server.process.poll() is None and server.process.pid == pid
            lost = inactive(server, auth, outcomes.tokens)
            assert not lost, f"{len(lost)} of {len(outcomes.tokens)} tokens answered 200 " \
                             f"are not active: e.g. {lost[:3]}"
            assert integrity_check(ta.db) == "ok"
        finally:
            server.stop()
        assert integrity_check(ta.db) == "ok"


# --------------------------------------------------------------------------
# Read-only


def test_read_only_tmpfs(termauth, tmp_path):
    """`mount -o remount,ro` with the server running, as the brief of issue 7
    asks; Linux refuses it (EBUSY) while SQLite holds its files open for
    writing, so then: read-only at start, made writable under the process."""
    with tmpfs(tmp_path / "fs") as fs:
        ta, auth, server = start_private(termauth, fs, tmp_path / "serve.log")
        outcomes = Outcomes()
        try:
            r = token_request(server, auth)
            outcomes.record("before", r)
            existing = r.json()["access_token"]

            ro = _run("mount", "-o", "remount,ro", str(fs))
            live = ro.returncode == 0
            refusal = ro.stderr.strip().splitlines()[0] if ro.stderr.strip() else ""
            if live:  # not expected on Linux; exercise it if it ever happens
                for _ in range(20):
                    outcomes.record("ro", token_request(server, auth))
                assert introspect(server, auth, existing)["active"] is True
                assert outcomes.statuses["ro:503"] > 0
                assert _run("mount", "-o", "remount,rw", str(fs)).returncode == 0
                wait_for_200(server, auth, outcomes, "rw", within=5)
            else:
                assert "busy" in ro.stderr.lower(), ro.stderr
                # The refusal changed nothing.
                outcomes.record("remount-refused", token_request(server, auth))
                server.stop()
                assert server.process.returncode == 0, \
                    f"serve exited {server.process.returncode} on SIGTERM"

                ro = _run("mount", "-o", "remount,ro", str(fs))
                assert ro.returncode == 0, f"remount,ro with nothing open: {ro.stderr}"
                argv = [str(ta.binary), "serve", "--db", str(ta.db), "--config",
                        str(ta.config), "--host", "127.0.0.1", "--port", "0"]
                proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        stdin=subprocess.DEVNULL, text=True, env=ta.env)
                try:
                    out, err = proc.communicate(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    out, err = proc.communicate(timeout=10)
                    raise AssertionError("serve on a read-only filesystem neither served "
                                         f"nor exited within 15 s:\n{out}\n{err}")
                print(f"\nserve on a read-only filesystem: exit {proc.returncode}; "
                      f"stdout {out.strip()!r}; stderr {err.strip()[-300:]!r}")
                # Refusing to start is the answer here: clean exit code, a
                # message that says why, no crash.
                assert proc.returncode == 1, f"exit code {proc.returncode}: {err}"
                assert "read-only" in err.lower(), err
                assert "listening" not in out

                assert _run("mount", "-o", "remount,rw", str(fs)).returncode == 0
                server = ServeProcess(ta, tmp_path / "serve.log").start()
                wait_for_200(server, auth, outcomes, "rw", within=5)
            print(f"read-only tmpfs: remount,ro under the server "
                  f"{'worked' if live else 'refused: ' + refusal}; "
                  f"answers {outcomes.summary()}")
            assert not outcomes.bad, outcomes.bad[:3]
            lost = inactive(server, auth, outcomes.tokens)
            assert not lost, f"tokens answered 200 but inactive: {lost[:3]}"
        finally:
            server.stop()
        assert integrity_check(ta.db) == "ok"


def test_filesystem_turning_read_only_under_the_server(termauth, tmp_path):
    # Room for the WAL a hammering burst leaves before its checkpoint (up to 40 MB, see
    # SQLiteStore): on 16 MB the restarted server could find the disk full, not read-only.
    with ext4_on_loop(tmp_path / "fs", tmp_path / "ext4.img", size_mb=128) as fs:
        trigger = Path("/sys/fs/ext4") / Path(block_device(fs)).name / "trigger_fs_error"
        if not trigger.exists():
            pytest.skip(f"{trigger} missing: this kernel cannot inject an ext4 error")
        # "full": a 200 promises the token is on the disk (fsync per commit
        # batch). With "normal" the commits of the last moments before the
        # journal abort live only in the page cache and are lost, as on a
        # power cut; that is the documented trade-off, not tested here.
        ta, auth, server = start_private(termauth, fs, tmp_path / "serve.log",
                                         durability="full")
        outcomes = Outcomes()
        try:
            pid = server.process.pid
            hammer(server, auth, outcomes, "before", 0.5, threads=4)
            issued = list(outcomes.tokens)
            assert issued and not outcomes.bad, outcomes.summary()

            triggered = {}

            def turn_read_only(deadline):
                time.sleep(0.3)
                triggered["at"] = time.monotonic()
                trigger.write_text("termauth storage-fault test\n")
                triggered["done"] = time.monotonic()
            hammer(server, auth, outcomes, "turning", 1.5, during=turn_read_only)
            try:
                (fs / "probe").write_bytes(b"x")
                pytest.fail("ext4 did not turn read-only after the injected error")
            except OSError as exc:
                assert exc.errno == 30, f"expected EROFS, got {exc!r}"
            hammer(server, auth, outcomes, "ro", 1.5)

            assert server.process.poll() is None, "the server died when its disk went read-only"
            assert server.process.pid == pid
            assert requests.get(server.url("/healthz"), timeout=5).status_code == 200
            still = inactive(server, auth, outcomes.tokens)
            assert not still, f"tokens answered 200 are not active on the read-only disk: {still[:3]}"
            print(f"\next4 read-only under the server: answers {outcomes.summary()}")
            assert not outcomes.bad, \
                f"{len(outcomes.bad)} answers neither 200 nor 503 temporarily_unavailable " \
                f"with Retry-After: 1, e.g. {outcomes.bad[:3]}"
            assert outcomes.statuses["ro:503"] > 0, outcomes.summary()

            # The kernel keeps an ext4 that hit an error read-only until it is
            # unmounted and checked: stop, fsck, remount, start again.
            started = time.monotonic()
            server.stop()
            stopped_in = time.monotonic() - started
            assert stopped_in < 5, f"serve took {stopped_in:.1f} s to stop on SIGTERM"
        finally:
            server.stop()
        tokens = list(outcomes.tokens)
    image = tmp_path / "ext4.img"
    fsck = _run("e2fsck", "-f", "-y", str(image))
    assert fsck.returncode in (0, 1), f"e2fsck: {fsck.returncode}\n{fsck.stdout}\n{fsck.stderr}"
    r = _run("mount", "-o", "loop", str(image), str(tmp_path / "fs"))
    assert r.returncode == 0, r.stderr
    try:
        assert integrity_check(ta.db) == "ok"
        with ServeProcess(ta, tmp_path / "serve.log") as server:
            lost = inactive(server, auth, tokens)
            # A commit whose fsync straddles the journal abort can be lost even
            # though fsync said 0: the kernel does that to any program (a
            # plain append+fsync loop on this set-up lost its last
            # acknowledged record in 1 of 8 runs). So only tokens answered
            # before the error began are held to the promise.
            t_err = triggered["at"]
            in_window = [t for t in lost if outcomes.when[t][1] >= t_err]
            before_error = [t for t in lost if t not in in_window]
            timing = [(round(outcomes.when[t][0] - t_err, 4), round(outcomes.when[t][1] - t_err, 4))
                      for t in lost]
            print(f"ext4 after fsck and restart: {len(lost)} of {len(tokens)} tokens answered "
                  f"200 are gone; (sent, answered) relative to the error: {timing}")
            assert not before_error, \
                f"{len(before_error)} tokens answered 200 before the disk error are gone after " \
                f"the restart (durability full); (sent, answered) relative to the error: {timing}"
            assert token_request(server, auth).status_code == 200
    finally:
        _umount(tmp_path / "fs")
