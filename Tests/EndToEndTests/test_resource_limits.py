"""Resource limits (issue 7): what a slow, greedy or vanishing client can cost
the server, over real TCP against the real binary.

- a client that stalls mid-request is cut off after the idle timeout;
- thousands of idle connections cost bounded memory, the connection cap holds
  (the rest wait in the kernel's accept queue), a new client is still served,
  and the idle ones are closed by the server;
- oversize bodies, too many parameters and too long values are refused;
- a long poll on /authorize is not cut by the idle timeout, ends when its
  client goes away, and is answered 503 when the server is told to stop.

One private server (server_process.py) with a short idle timeout and a small
connection cap serves every test except the SIGTERM one, which owns its own.
"""

from __future__ import annotations

import collections
import errno
import json
import os
import re
import resource
import select
import signal
import socket
import threading
import time
from urllib.parse import urlencode, urlsplit

import pytest
import requests

from conftest import unique
from server_process import PRIVATE_CONFIG, ServeProcess, pkce_pair, private_termauth

IDLE_TIMEOUT = 2        # seconds, [server] idle_timeout_seconds
MAX_CONNECTIONS = 200   # [server] max_connections
BODY_TIMEOUT = 3        # seconds, [server] body_timeout_seconds
IDLE_CLIENTS = 2000
RSS_GROWTH_BOUND_MB = 50  # while IDLE_CLIENTS connections are open
MARGIN = 1.5            # seconds of slack on top of the idle timeout

LIMITS_CONFIG = PRIVATE_CONFIG + f"""
[server]
idle_timeout_seconds = {IDLE_TIMEOUT}
body_timeout_seconds = {BODY_TIMEOUT}
max_connections = {MAX_CONNECTIONS}
"""

LOG_LINE = re.compile(r"\b(GET|POST|PUT|DELETE|HEAD|OPTIONS|PATCH) (\S+) (\d{3}) ([\d.]+)ms")


def limited_termauth(termauth, directory):
    ta = private_termauth(termauth, directory)
    ta.config.write_text(LIMITS_CONFIG)
    return ta


@pytest.fixture(scope="module")
def private(termauth, tmp_path_factory):
    directory = tmp_path_factory.mktemp("limits")
    ta = limited_termauth(termauth, directory)
    job = ta.add_client(unique("job"), grants=["client_credentials"], scopes=["profile"])
    web = ta.add_client(unique("web"), public=True, scopes=["profile"],
                        redirect_uris=["http://127.0.0.1/callback"])
    with ServeProcess(ta, directory / "serve.log") as server:
        yield ta, server, job, web


def address(server: ServeProcess) -> tuple[str, int]:
    parts = urlsplit(server.base_url)
    return parts.hostname, parts.port


def wait_closed(sock: socket.socket, timeout: float) -> tuple[str, bytes]:
    """Reads until the peer closes. Returns ("eof" | "reset" | "open", bytes
    received before that)."""
    received = b""
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return "open", received
        poller = select.poll()  # not select(): descriptors above 1024 here
        poller.register(sock, select.POLLIN | select.POLLERR | select.POLLHUP)
        if not poller.poll(left * 1000):
            return "open", received
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            return "reset", received
        if not chunk:
            return "eof", received
        received += chunk


def vm_status(pid: int) -> dict:
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM", "Threads"):
                out[key] = int(value.split()[0])
    return out


def socket_fds(pid: int) -> int:
    n = 0
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}").startswith("socket:"):
                n += 1
        except OSError:
            pass  # closed while we looked
    return n


def authorize_query(client: dict) -> str:
    _, challenge = pkce_pair()
    return "/authorize?" + urlencode({
        "response_type": "code", "client_id": client["client_id"],
        "redirect_uri": "http://127.0.0.1:5000/callback", "scope": "profile",
        "state": "st", "code_challenge": challenge, "code_challenge_method": "S256"})


def long_poll(server: ServeProcess, client: dict) -> socket.socket:
    """Starts GET /authorize as a non-browser agent (no Accept: text/html),
    which the server holds open until someone decides."""
    sock = socket.create_connection(address(server), timeout=10)
    sock.sendall(f"GET {authorize_query(client)} HTTP/1.1\r\nHost: {server.base_url[7:]}\r\n"
                 f"Accept: */*\r\nUser-Agent: limits-test\r\n\r\n".encode())
    return sock


def wait_parked(ta, client_id: str, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(r.get("client_id") == client_id for r in ta.list_requests()):
            return
        time.sleep(0.1)
    raise AssertionError(f"the long poll for {client_id} was never parked")


# --------------------------------------------------------------------------
# a. slow clients


def test_stalled_partial_requests_are_disconnected_after_idle_timeout(private):
    _, server, job, _ = private
    host = server.base_url[7:]
    cases = {
        "nothing sent": b"",
        "headers without final CRLF": (
            f"GET /healthz HTTP/1.1\r\nHost: {host}\r\nUser-Agent: slow\r\n").encode(),
        "request line only, half written": b"POST /tok",
        "body shorter than Content-Length": (
            f"POST /token HTTP/1.1\r\nHost: {host}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            "Content-Length: 100\r\n\r\ngrant_type=client_cre").encode(),
    }
    socks = {}
    started = time.monotonic()
    for name, payload in cases.items():
        sock = socket.create_connection(address(server), timeout=10)
        if payload:
            sock.sendall(payload)
        socks[name] = sock

    results = {}
    lock = threading.Lock()

    def watch(name, sock):
        how, data = wait_closed(sock, IDLE_TIMEOUT + MARGIN + 5)
        with lock:
            results[name] = (how, round(time.monotonic() - started, 2), data[:80])

    threads = [threading.Thread(target=watch, args=item, daemon=True) for item in socks.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join(IDLE_TIMEOUT + MARGIN + 10)
    for sock in socks.values():
        sock.close()
    print(f"\nstalled clients (idle timeout {IDLE_TIMEOUT} s): {results}")

    for name, (how, after, _) in results.items():
        assert how in ("eof", "reset"), f"{name}: still open {after} s later"
        assert after <= IDLE_TIMEOUT + MARGIN, \
            f"{name}: closed only after {after} s (idle timeout {IDLE_TIMEOUT} s)"
    # The server is none the worse for it.
    assert requests.get(server.url("/healthz"), timeout=5).status_code == 200


# A trickled body restarts the idle timer with every byte; the body deadline
# ([server] body_timeout_seconds) is what frees the connection.
def test_trickled_body_is_cut_off(private):
    _, server, _, _ = private
    host = server.base_url[7:]
    sock = socket.create_connection(address(server), timeout=10)
    started = time.monotonic()
    bound = BODY_TIMEOUT + IDLE_TIMEOUT
    try:
        sock.sendall((f"POST /token HTTP/1.1\r\nHost: {host}\r\n"
                      "Content-Type: application/x-www-form-urlencoded\r\n"
                      "Content-Length: 1000\r\n\r\n").encode())
        how, data = "open", b""
        while time.monotonic() - started < bound + MARGIN:
            try:
                sock.sendall(b"a")  # well inside the idle timeout each time
            except OSError:
                how = "closed"
                break
            how, data = wait_closed(sock, IDLE_TIMEOUT / 4)
            if how != "open":
                break
        after = time.monotonic() - started
    finally:
        sock.close()
    print(f"\ntrickled body: {how} after {after:.2f} s {data[:60]!r}")
    assert how != "open", \
        f"a body trickled one byte per {IDLE_TIMEOUT / 4} s still held its connection " \
        f"after {after:.1f} s (idle timeout {IDLE_TIMEOUT} s)"
    assert after <= bound + MARGIN


# --------------------------------------------------------------------------
# b. thousands of idle connections


def test_thousands_of_idle_connections(private):
    _, server, _, _ = private
    pid = server.process.pid
    need = IDLE_CLIENTS + 256
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < need:
        if hard != resource.RLIM_INFINITY and hard < need:
            pytest.skip(f"RLIMIT_NOFILE hard limit {hard} < {need}: cannot open "
                        f"{IDLE_CLIENTS} connections from this process")
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (need, hard))
        except (ValueError, OSError) as exc:
            pytest.skip(f"cannot raise RLIMIT_NOFILE to {need}: {exc}")

    before = vm_status(pid)
    base_sockets = socket_fds(pid)
    peak = {"rss": before["VmRSS"], "sockets": base_sockets, "threads": before["Threads"]}
    sampling = threading.Event()

    def sample():
        while not sampling.is_set():
            try:
                st = vm_status(pid)
                peak["rss"] = max(peak["rss"], st["VmRSS"])
                peak["threads"] = max(peak["threads"], st["Threads"])
                peak["sockets"] = max(peak["sockets"], socket_fds(pid))
            except (OSError, KeyError):
                pass
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    addr = address(server)
    idle: list[socket.socket] = []
    probes: list[socket.socket] = []
    try:
        # Non-blocking connects, all at once: the server accepts up to the cap,
        # the kernel queues a backlog's worth, the rest keep retrying their SYN.
        t0 = time.monotonic()
        for _ in range(IDLE_CLIENTS):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setblocking(False)
            err = sock.connect_ex(addr)
            if err not in (0, errno.EINPROGRESS):
                sock.close()
                pytest.skip(f"could not start connection #{len(idle) + 1}: "
                            f"{os.strerror(err)}")
            idle.append(sock)
        opened_in = time.monotonic() - t0

        # Every close the server makes, timed as it happens.
        closed_at: dict[int, tuple[float, str]] = {}
        watching = threading.Event()

        def watch():
            poller = select.poll()
            by_fd = {}
            for s in idle:
                poller.register(s, select.POLLIN)
                by_fd[s.fileno()] = s
            while not watching.is_set():
                for fd, _ in poller.poll(50):
                    try:
                        kind = "eof" if by_fd[fd].recv(1) == b"" else "data"
                    except (BlockingIOError, InterruptedError):
                        continue
                    except OSError as exc:
                        kind = errno.errorcode.get(exc.errno, str(exc.errno))
                    closed_at[fd] = (time.monotonic() - t0, kind)
                    poller.unregister(fd)

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()

        # A new client still gets an answer. Its connection waits behind the
        # idle ones: the cap's worth being served, then the listen backlog's
        # worth (256) queued in the kernel, each lot released by the idle
        # timeout, so up to three rounds. A SYN that finds the accept queue
        # full is dropped and retried with exponential back-off (1, 3, 7 s),
        # so like a real client retrying, the probe starts a fresh connection
        # every 0.25 s and the first answer counts.
        answered = threading.Event()
        answer = {}
        healthz_within = 3 * IDLE_TIMEOUT + 3
        deadline = t0 + healthz_within

        def probe(start):
            try:
                s = socket.create_connection(addr, timeout=max(0.1, deadline - time.monotonic()))
                probes.append(s)
                s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                how, data = wait_closed(s, max(0.1, deadline - time.monotonic()))
                if data.startswith(b"HTTP/1.1 200") and not answered.is_set():
                    answer["after"] = time.monotonic() - t0
                    answer["attempt_started"] = start - t0
                    answered.set()
            except OSError:
                pass

        first_probe = time.monotonic()
        probes_started = 0
        while not answered.is_set() and time.monotonic() < deadline:
            threading.Thread(target=probe, args=(time.monotonic(),), daemon=True).start()
            probes_started += 1
            answered.wait(0.25)
        healthz_after = answer.get("after")

        # The idle connections the server accepted are closed after the idle
        # timeout, and the next ones from the queue after that.
        time.sleep(max(0.0, t0 + 2 * IDLE_TIMEOUT + MARGIN - time.monotonic()))
        watching.set()
        watcher.join(5)
        times = sorted(t for t, kind in closed_at.values() if kind in ("eof", "ECONNRESET"))
        kinds = collections.Counter(kind for _, kind in closed_at.values())
        closed_first = sum(1 for t in times if t <= IDLE_TIMEOUT + MARGIN)
        closed_second = sum(1 for t in times if t <= 2 * IDLE_TIMEOUT + MARGIN)
        while_open = vm_status(pid)
        growth_mb = (peak["rss"] - before["VmRSS"]) / 1024
        print(f"\n{IDLE_CLIENTS} idle connections started in {opened_in:.2f} s; "
              f"server VmRSS {before['VmRSS'] / 1024:.1f} MB before, peak "
              f"{peak['rss'] / 1024:.1f} MB (+{growth_mb:.1f} MB), now "
              f"{while_open['VmRSS'] / 1024:.1f} MB; threads {before['Threads']} -> "
              f"peak {peak['threads']}; server sockets {base_sockets} -> peak "
              f"{peak['sockets']} (cap {MAX_CONNECTIONS}); /healthz answered "
              f"{healthz_after and round(healthz_after, 2)} s after the flood "
              f"(probing from {first_probe - t0:.2f} s, winning attempt started "
              f"{answer.get('attempt_started', 0):.2f} s, {probes_started} probes); "
              f"closed by server: first at {times[0] if times else float('nan'):.2f} s, "
              f"{closed_first} by {IDLE_TIMEOUT + MARGIN} s, {closed_second} by "
              f"{2 * IDLE_TIMEOUT + MARGIN} s ({dict(kinds)})")

        assert growth_mb < RSS_GROWTH_BOUND_MB, \
            f"RSS grew {growth_mb:.1f} MB with {IDLE_CLIENTS} idle connections"
        # Listening socket + accepted connections + a few for the database.
        assert peak["sockets"] <= base_sockets + MAX_CONNECTIONS + 10, \
            f"server held {peak['sockets']} sockets; cap is {MAX_CONNECTIONS}"
        assert healthz_after is not None, \
            f"GET /healthz on a new connection got no answer within {healthz_within} s"
        assert set(kinds) <= {"eof", "ECONNRESET"}, f"unexpected socket states: {kinds}"
        assert times and times[0] >= IDLE_TIMEOUT * 0.8, \
            f"no idle connection closed, or one closed {times[0] if times else float('nan'):.2f} " \
            f"s in, before the " \
            f"{IDLE_TIMEOUT} s idle timeout"
        # The first lot is all idle connections; in the second, each healthz
        # probe may have taken a slot an idle connection would have had.
        assert closed_first >= MAX_CONNECTIONS, \
            f"only {closed_first} idle connections closed {IDLE_TIMEOUT + MARGIN} s in"
        assert closed_second >= 2 * MAX_CONNECTIONS - probes_started, \
            f"only {closed_second} idle connections closed {2 * IDLE_TIMEOUT + MARGIN} s in " \
            f"({probes_started} healthz probes)"
    finally:
        for s in idle + probes:
            s.close()
        sampling.set()
        sampler.join(5)

    # Everything the clients dropped is released: the server's sockets go back
    # to where they were and it answers at once.
    deadline = time.monotonic() + IDLE_TIMEOUT + 5
    while socket_fds(pid) > base_sockets + 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert socket_fds(pid) <= base_sockets + 2, \
        f"server still holds {socket_fds(pid)} sockets (was {base_sockets})"
    assert requests.get(server.url("/healthz"), timeout=5).status_code == 200
    assert server.process.poll() is None


# --------------------------------------------------------------------------
# c. oversize requests


def token_post(server, job, body: bytes, headers=None):
    return requests.post(server.url("/token"), data=body, timeout=10,
                         auth=(job["client_id"], job["client_secret"]),
                         headers={"Content-Type": "application/x-www-form-urlencoded",
                                  **(headers or {})})


def assert_invalid_request(r: requests.Response, what: str):
    assert r.status_code == 400, f"{what}: {r.status_code} {r.text[:300]}"
    assert r.json().get("error") == "invalid_request", f"{what}: {r.text[:300]}"


def padded_body(total: int) -> bytes:
    """A valid client_credentials body of exactly `total` bytes: under 50
    parameters, every value under 8192 bytes."""
    head = b"grant_type=client_credentials&scope=profile"
    parts, size, i = [head], len(head), 0
    while size < total:
        name = f"&pad{i}=".encode()
        room = total - size - len(name)
        if room < 0:
            parts[-1] += b"x" * (total - size)
            break
        parts.append(name + b"x" * min(room, 4000))
        size += len(parts[-1])
        i += 1
    body = b"".join(parts)
    assert len(body) == total
    return body


def test_oversize_body_is_413(private):
    _, server, job, _ = private
    at_limit = token_post(server, job, padded_body(64 * 1024))
    assert at_limit.status_code == 200, \
        f"a 64 KiB body was refused: {at_limit.status_code} {at_limit.text[:200]}"

    over = token_post(server, job, padded_body(64 * 1024 + 1))
    assert over.status_code == 413, f"64 KiB + 1: {over.status_code} {over.text[:200]}"

    big = token_post(server, job, b"grant_type=client_credentials&pad=" + b"x" * 1_000_000)
    assert big.status_code == 413, f"1 MB body: {big.status_code} {big.text[:200]}"

    # Without Content-Length (chunked), the limit must hold all the same.
    def chunks():
        yield b"grant_type=client_credentials"
        for i in range(40):
            yield f"&p{i}=".encode() + b"x" * 4000
    chunked = requests.post(server.url("/token"), data=chunks(), timeout=10,
                            auth=(job["client_id"], job["client_secret"]),
                            headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert chunked.status_code == 413, \
        f"160 KB chunked body: {chunked.status_code} {chunked.text[:200]}"
    assert requests.get(server.url("/healthz"), timeout=5).status_code == 200


def test_too_many_parameters_is_invalid_request(private):
    _, server, job, _ = private
    base = "grant_type=client_credentials&scope=profile"
    fifty = base + "".join(f"&p{i}=v" for i in range(48))
    r = token_post(server, job, fifty.encode())
    assert r.status_code == 200, f"50 parameters: {r.status_code} {r.text[:200]}"

    for n in (51, 60):
        body = base + "".join(f"&p{i}=v" for i in range(n - 2))
        assert_invalid_request(token_post(server, job, body.encode()), f"{n} parameters")

    # The same on the other form endpoints and on a query string.
    sixty = "token=x" + "".join(f"&p{i}=v" for i in range(59))
    r = requests.post(server.url("/introspect"), data=sixty, timeout=10,
                      auth=(job["client_id"], job["client_secret"]),
                      headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert_invalid_request(r, "60 parameters to /introspect")
    r = requests.get(server.url("/authorize?" + "&".join(f"p{i}=v" for i in range(60))),
                     timeout=10, allow_redirects=False)
    assert r.status_code == 400, f"60 query parameters: {r.status_code} {r.text[:200]}"


def test_too_long_value_is_invalid_request(private):
    _, server, job, _ = private
    ok = token_post(server, job, b"grant_type=client_credentials&pad=" + b"x" * 8192)
    assert ok.status_code == 200, f"8192-byte value: {ok.status_code} {ok.text[:200]}"
    assert_invalid_request(
        token_post(server, job, b"grant_type=client_credentials&pad=" + b"x" * 9000),
        "9000-byte value")
    assert_invalid_request(
        token_post(server, job, b"grant_type=client_credentials&scope=" + b"x" * 9000),
        "9000-byte scope")


# --------------------------------------------------------------------------
# d. long polls


def log_lines(server: ServeProcess) -> list[tuple[str, str, int, float]]:
    text = server.log_path.read_text(errors="replace")
    return [(m.group(1), m.group(2), int(m.group(3)), float(m.group(4)))
            for m in LOG_LINE.finditer(text)]


def test_long_poll_survives_idle_timeout_and_ends_when_client_leaves(private):
    ta, server, _, web = private
    before = len(log_lines(server))
    sock = long_poll(server, web)
    started = time.monotonic()
    try:
        wait_parked(ta, web["client_id"])
        # Held past the idle timeout: a long poll is not idle.
        how, data = wait_closed(sock, IDLE_TIMEOUT + 1.0)
        assert how == "open" and data == b"", \
            f"the long poll was answered or cut after {time.monotonic() - started:.2f} s: " \
            f"{how} {data[:200]!r}"
    finally:
        held = time.monotonic() - started
        sock.close()
    closed_at = time.monotonic()

    ended = None
    while time.monotonic() < closed_at + 3:
        # Our poll is the only /authorize that ran longer than the idle timeout
        # (the log may trail, so earlier tests' lines can come after `before`).
        done = [l for l in log_lines(server)[before:]
                if l[1] == "/authorize" and l[3] >= IDLE_TIMEOUT * 1000]
        if done:
            ended = done[0]
            break
        time.sleep(0.05)
    seen_after = time.monotonic() - closed_at
    print(f"\nlong poll held {held:.2f} s, then dropped; log: {ended}, "
          f"seen {seen_after:.2f} s after the disconnect")
    assert ended is not None, "the server never logged the end of the abandoned long poll"
    assert ended[2] == 204, f"abandoned long poll logged as {ended}"
    assert ended[3] / 1000 <= held + 1.0, \
        f"the server noticed the disconnect only after {ended[3] / 1000 - held:.2f} s"
    assert seen_after <= 1.5


def test_sigterm_answers_waiting_long_poll_503_and_exits(termauth, tmp_path):
    ta = limited_termauth(termauth, tmp_path)
    web = ta.add_client(unique("web"), public=True, scopes=["profile"],
                        redirect_uris=["http://127.0.0.1/callback"])
    server = ServeProcess(ta, tmp_path / "serve.log").start()
    sock = None
    try:
        sock = long_poll(server, web)
        wait_parked(ta, web["client_id"])
        time.sleep(0.2)
        signalled = time.monotonic()
        server.process.send_signal(signal.SIGTERM)
        how, data = wait_closed(sock, 5)
        answered_after = time.monotonic() - signalled
        try:
            code = server.process.wait(timeout=max(0.1, signalled + 5 - time.monotonic()))
        except Exception:
            code = None
        exited_after = time.monotonic() - signalled
        print(f"\nSIGTERM: long poll answered after {answered_after:.2f} s ({how}), "
              f"server exit code {code} after {exited_after:.2f} s; "
              f"answer {data[:200]!r}")

        head, _, body = data.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 503"), f"waiting long poll got {data[:300]!r}"
        assert answered_after <= 2.5, f"answered only {answered_after:.2f} s after SIGTERM"
        assert json.loads(body.decode() or "{}").get("error") == "temporarily_unavailable", body
        assert code is not None, "server still running 5 s after SIGTERM"
    finally:
        if sock is not None:
            sock.close()
        server.stop()
