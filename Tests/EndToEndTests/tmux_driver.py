"""Drive the real `termauth` terminal UI in tmux: a detached 80x24 session, keys sent with
send-keys, the screen read back with capture-pane."""
import shlex
import subprocess
import time
import uuid
from pathlib import Path


class TmuxSession:
    def __init__(self, argv, env=None, width=80, height=24):
        self.name = "termauth-" + uuid.uuid4().hex[:8]
        self.marker = "TERMAUTH-EXIT="
        env_prefix = " ".join(f"{k}={shlex.quote(v)}" for k, v in (env or {}).items())
        # Keep the pane after the program ends so its last output can be read.
        command = f"{env_prefix} {shlex.join(map(str, argv))}; echo {self.marker}$?; sleep 600"
        argv = ["tmux", "new-session", "-d", "-s", self.name, "-x", str(width), "-y", str(height), "bash", "-c", command]
        # When another test closes the last session, the tmux server exits; a session started at
        # that moment is refused ("server exited unexpectedly"). Asking again starts a new server.
        for attempt in range(3):
            started = subprocess.run(argv, capture_output=True, text=True)
            if started.returncode == 0:
                break
            time.sleep(0.2)
        else:
            raise AssertionError(f"tmux new-session failed: {started.stderr.strip()}")

    def screen(self) -> str:
        return subprocess.run(["tmux", "capture-pane", "-p", "-t", self.name],
                              capture_output=True, text=True, check=True).stdout

    def wait_for(self, text: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        last = ""
        while time.monotonic() < deadline:
            last = self.screen()
            if text in last:
                return last
            time.sleep(0.1)
        raise AssertionError(f"screen never showed {text!r} within {timeout:.0f} s; last screen:\n{last}")

    def type(self, text: str):
        subprocess.run(["tmux", "send-keys", "-t", self.name, "-l", text], check=True)

    def press(self, *keys: str):
        for key in keys:
            subprocess.run(["tmux", "send-keys", "-t", self.name, key], check=True)
            time.sleep(0.05)

    def focus_line_with(self, text: str, tries: int = 20):
        """Press Down until the focus marker (›) is on the line holding `text`."""
        for _ in range(tries):
            line = next((l for l in self.screen().splitlines() if text in l), "")
            if "›" in line:
                return
            self.press("Down")
            time.sleep(0.1)
        raise AssertionError(f"never focused the line with {text!r}; last screen:\n{self.screen()}")

    def confirm_request(self, code: str) -> str:
        """Get past the confirmation shown before approving a request picked by its code:
        checks it names the code and warns, then moves off Deny (where focus starts) and
        continues. Returns that screen."""
        screen = self.wait_for("Deny if someone sent you this code")
        assert code in screen and "(name chosen by the client)" in screen, screen
        self.press("Left")
        self.press("Enter")
        return screen

    def sign_in(self, username: str, password: str) -> str:
        """Fill in the sign-in screen once it shows; returns that screen."""
        screen = self.wait_for("Sign in")
        self.type(username)
        self.press("Enter")
        self.type(password)
        self.press("Enter")
        return screen

    def exit_code(self, timeout: float = 30.0) -> int:
        screen = self.wait_for(self.marker, timeout)
        line = next(l for l in screen.splitlines() if self.marker in l)
        return int(line.split(self.marker, 1)[1].strip())

    def close(self):
        subprocess.run(["tmux", "kill-session", "-t", self.name], capture_output=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def save_capture(name: str, screen: str):
    """Keep captures for the README; TERMAUTH_CAPTURES names the folder."""
    import os
    folder = os.environ.get("TERMAUTH_CAPTURES")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        (Path(folder) / f"{name}.txt").write_text(screen)
