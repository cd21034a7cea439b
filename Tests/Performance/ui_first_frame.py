"""Time from start to the first frame of the terminal UI, and its memory, measured through a
real pty (80x24) against a throw-away database.

    python3 Tests/Performance/ui_first_frame.py [path/to/termauth] [runs]
"""
import fcntl
import os
import pty
import select
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time

binary = sys.argv[1] if len(sys.argv) > 1 else ".build/release/termauth"
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 10
work = tempfile.mkdtemp(prefix="termauth-ui-")
db = os.path.join(work, "t.db")


def ta(*args, stdin=None):
    subprocess.run([binary, *args, "--db", db], input=stdin, text=True, check=True, capture_output=True)


ta("scope", "add", "profile", "--description", "Read your profile")
ta("client", "add", "--name", "Bench", "--id", "bench", "--redirect-uri", "http://127.0.0.1/cb")
url = ("http://127.0.0.1:8080/authorize?response_type=code&client_id=bench&redirect_uri=http://127.0.0.1:9/cb"
       "&scope=profile&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256")


def one(command):
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["TERM"] = "xterm-256color"
        os.environ["LANG"] = "C.UTF-8"
        os.execv(binary, [binary, *command, "--db", db])
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    start = time.monotonic()
    seen = b""
    elapsed = None
    while time.monotonic() - start < 10:
        ready, _, _ = select.select([fd], [], [], 0.01)
        if ready:
            seen += os.read(fd, 65536)
            if b"Sign in" in seen or b"Console" in seen:
                elapsed = time.monotonic() - start
                break
    time.sleep(0.2)
    with open(f"/proc/{pid}/status") as status:
        rss = next(int(l.split()[1]) for l in status if l.startswith("VmHWM:"))
    os.write(fd, b"\x03")  # Ctrl-C
    os.waitpid(pid, 0)
    os.close(fd)
    return elapsed, rss / 1024


for name, command in [("authorize", ["authorize", url]), ("console", ["console"])]:
    results = [one(command) for _ in range(runs)]
    times = sorted(r[0] * 1000 for r in results if r[0] is not None)
    rss = max(r[1] for r in results)
    print(f"termauth {name}: first frame median {statistics.median(times):.0f} ms "
          f"(min {times[0]:.0f}, max {times[-1]:.0f}, {len(times)} runs), peak RSS {rss:.1f} MB")
