"""`termauth demo` in tmux at 80x24: the seed's eight steps against the real server it starts,
played unattended (--auto) and with keys typed by the test (--step)."""
import re
import subprocess
import time

from tmux_driver import TmuxSession, save_capture

ENV = {"NO_COLOR": "1", "LANG": "C.UTF-8"}


def demo(termauth, *args):
    # A fresh temporary database each run; --config only lowers the password work factor.
    return [str(termauth.binary), "demo", "--config", str(termauth.config), *args]


def step_row(screen: str, number: int) -> str:
    return next(line for line in screen.splitlines() if re.search(rf"[│ ][✓▶↷✗ ] {number} [A-Z]", line))


def test_auto_plays_every_grant_and_step_8_returns_the_resource(termauth):
    with TmuxSession(demo(termauth, "--auto", "--pace", "400"), env=ENV) as tmux:
        # Step 8 of the first run: the resource server's answer, on screen.
        screen = tmux.wait_for("Hello, Demo User", timeout=60)
        assert "8 Return resource" in screen and "← 200" in screen
        for number in range(1, 9):
            assert "✓" in step_row(screen, number) or number == 8, screen
        assert "username: demo" in screen and "scope: email offline_access openid photos profile" in screen
        save_capture("demo-step-8", screen)
        # The device scene shows the device authorization response as it came: a number
        # stays a number (Foundation once read `"interval": 1` as true).
        device = tmux.wait_for("interval:", timeout=90)
        assert re.search(r"interval: \d+\b", device) and "interval: true" not in device, device

        summary = tmux.wait_for("demo complete", timeout=90)
        save_capture("demo-summary", summary)
        for title in ["Authorization Code grant + PKCE", "Authorization Code grant, run 2", "Device Authorization grant",
                      "Client Credentials grant", "Refresh Token grant", "Token revocation"]:
            assert "✓" in next(l for l in summary.splitlines() if title in l), summary
        assert "step 3 skipped (remembered)" in summary
        assert "resource then 401 invalid_token" in summary

        tmux.press("q")
        assert tmux.exit_code() == 0
        out = tmux.screen()
        assert out.count("ok   ") == 6 and "FAIL" not in out, out


def test_keys_typed_by_a_person_unticked_scope_is_missing_from_steps_6_to_8(termauth):
    with TmuxSession(demo(termauth, "--step"), env=ENV) as tmux:
        first = tmux.wait_for("Space next step")
        password = re.search(r"password (\S+)", first).group(1)

        def advance_until(text, presses=6):
            for _ in range(presses):
                screen = tmux.screen()
                if text in screen:
                    return screen
                tmux.press("Space")
                changed_from = screen
                deadline = time.monotonic() + 10
                while tmux.screen() == changed_from and time.monotonic() < deadline:
                    time.sleep(0.05)
            return tmux.wait_for(text, timeout=5)

        advance_until("Username")
        tmux.type("demo")
        tmux.press("Tab")
        tmux.type(password)
        tmux.press("Enter")
        advance_until("Allow access?")
        # Focus starts on the first scope a person may change (email): untick it, approve.
        tmux.press("Space", "a")

        six = advance_until("─ 6 Issue access token")
        six = tmux.wait_for("scope: offline_access openid photos profile")
        assert "access_token:" in six and "refresh_token:" in six, six
        # The ID token, decoded: what the application learns about the person.
        assert "id_token:" in six and "(the app's own)" in six and "auth_time" in six, six
        assert re.search(r"signature checked: alg RS256, kid \S+", six) and "aud demo-app" in six, six
        # Issued in the same millisecond, the two start alike (their issue time); shown, they must differ.
        shown = dict(re.findall(r"(access_token|refresh_token): (\S+)", six))
        assert shown["access_token"] != shown["refresh_token"] and shown["access_token"].startswith("…"), six
        eight = advance_until("─ 8 Return resource")
        eight = tmux.wait_for("Hello, Demo User")
        assert "scope: offline_access openid photos profile" in eight and "email" not in eight.split("─ 8 Return resource")[1], eight
        save_capture("demo-reduced-scope", eight)

        tmux.wait_for("r again")
        tmux.press("q")
        assert tmux.exit_code() == 0
        # The summary line wraps at 80 columns.
        assert re.search(r"scope\s+offline_access\s+openid\s+photos\s+profile", tmux.screen().replace("\n", "")), tmux.screen()


def test_demo_refuses_a_database_with_real_data(seeded):
    """The demo resets its user's password and replaces its clients; a real installation's
    file must be refused before anything is touched."""
    before = seeded.json("client", "list", "--json")
    proc = subprocess.run([str(seeded.binary), "demo", "--auto", "--db", str(seeded.db), "--config", str(seeded.config)],
                          capture_output=True, text=True, timeout=60, env=seeded.env)
    assert proc.returncode == 2, proc  # a usage error: the wrong file was given
    assert "holds clients or users of its own" in proc.stderr, proc.stderr
    assert seeded.json("client", "list", "--json") == before
