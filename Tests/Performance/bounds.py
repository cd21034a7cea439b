"""What the unauthenticated bounds hold, measured against a release build (issue 15, §4):

- parks requests up to `[limits] parked_total` (10,000) through GET /authorize and checks the
  next one is refused 503 with Retry-After, and that nothing more was stored;
- with those 10,000 parked: `termauth requests list --json` wall time, and the operator
  console's first frame and its answer to a key, through a real pty;
- holds `[limits] long_polls` (500) GET /authorize long polls open, from 25 loopback
  addresses (20 each, the per-source default), checks the next is refused 503, and reports
  the server's RSS with them held.

    python3 Tests/Performance/bounds.py [path/to/termauth]
"""
import concurrent.futures
import fcntl
import json
import os
import pty
import re
import select
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
import urllib.parse
import urllib.request

binary = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else ".build/release/termauth")
work = tempfile.mkdtemp(prefix="termauth-bounds-")
db = os.path.join(work, "t.db")
config = os.path.join(work, "t.toml")
# Per client and per source raised out of the way: this measures the total and the long polls.
with open(config, "w") as f:
    f.write("[security]\npassword_hash_rounds = 1000\n[limits]\nparked_per_client = 100000\nparked_per_source = 100000\n")


def ta(*args, stdin=None):
    return subprocess.run([binary, *args, "--db", db, "--config", config], input=stdin, text=True, check=True,
                          capture_output=True).stdout


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        return int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1)) / 1024


def fresh_server():
    """A new database with one client, and a server on it; returns the server and its URL."""
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db + suffix):
            os.remove(db + suffix)
    ta("scope", "add", "profile", "--description", "Read your profile")
    ta("client", "add", "--name", "Bench", "--id", "bench", "--redirect-uri", "http://127.0.0.1:9/cb")
    process = subprocess.Popen([binary, "serve", "--db", db, "--config", config, "--port", "0", "--log-level", "warning"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    return process, process.stdout.readline().split()[-1]


server, base = fresh_server()
query = ("/authorize?response_type=code&client_id=bench&redirect_uri=http://127.0.0.1:9/cb&scope=profile"
         "&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256")


def browser_park(_):
    request = urllib.request.Request(base + query, headers={"Accept": "text/html"})
    try:
        with urllib.request.urlopen(request, timeout=30) as r:
            return r.status, None
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Retry-After")


try:
    rss_empty = rss_mb(server.pid)
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        statuses = list(pool.map(browser_park, range(10_000)))
    park_seconds = time.monotonic() - started
    assert all(s == 200 for s, _ in statuses), {s for s, _ in statuses}
    refused = browser_park(0)
    listed = json.loads(ta("requests", "list", "--json"))
    print(f"parked 10000 requests in {park_seconds:.1f} s; the next: HTTP {refused[0]}, Retry-After {refused[1]}; "
          f"requests list shows {len(listed)}; server RSS {rss_empty:.0f} → {rss_mb(server.pid):.0f} MB")

    times = []
    for _ in range(5):
        t = time.monotonic()
        ta("requests", "list", "--json")
        times.append(time.monotonic() - t)
    print(f"termauth requests list --json with 10000: median {statistics.median(times) * 1000:.0f} ms of 5")

    # The console through a pty: first frame, then how soon a key is answered.
    pid, fd = pty.fork()
    if pid == 0:
        os.environ.update(TERM="xterm-256color", LANG="C.UTF-8")
        os.execv(binary, [binary, "console", "--db", db, "--config", config])
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    start = time.monotonic()
    seen = b""
    while b"Requests (10000)" not in seen and time.monotonic() - start < 30:
        if select.select([fd], [], [], 0.05)[0]:
            seen += os.read(fd, 1 << 16)
    first_frame = time.monotonic() - start
    answers = []
    for _ in range(9):
        time.sleep(0.35)
        while select.select([fd], [], [], 0)[0]:
            os.read(fd, 1 << 16)
        t = time.monotonic()
        os.write(fd, b"\x1bOB")  # Down
        if select.select([fd], [], [], 5)[0]:
            os.read(fd, 1 << 16)
            answers.append(time.monotonic() - t)
    os.write(fd, b"q")
    os.waitpid(pid, 0)
    print(f"console with 10000: first frame {first_frame * 1000:.0f} ms; a key answered in "
          f"median {statistics.median(answers) * 1000:.0f} ms, max {max(answers) * 1000:.0f} ms ({len(answers)} keys)")

    # Long polls: free the parked places first (they count against parked_total too).
    server.terminate()
    server.wait()
    server, base = fresh_server()
    port = urllib.parse.urlsplit(base).port
    rss_before = rss_mb(server.pid)
    held = []
    raw = f"GET {query} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n\r\n".encode()
    for i in range(500):
        s = socket.socket()
        s.bind((f"127.0.0.{2 + i % 25}", 0))
        s.connect(("127.0.0.1", port))
        s.sendall(raw)
        held.append(s)
    time.sleep(2)
    early = [s for s in held if select.select([s], [], [], 0)[0]]
    s = socket.socket()
    s.bind(("127.0.0.99", 0))
    s.connect(("127.0.0.1", port))
    s.sendall(raw)
    s.settimeout(10)
    answer = s.recv(4096).decode(errors="replace")
    status = answer.split("\r\n", 1)[0]
    retry = re.search(r"(?im)^retry-after:\s*(\S+)", answer)
    print(f"held 500 long polls ({len(early)} answered early); the next: {status}, Retry-After "
          f"{retry.group(1) if retry else None}; server RSS {rss_before:.0f} → {rss_mb(server.pid):.0f} MB")
    for s in held:
        s.close()
finally:
    server.terminate()
    server.wait()
