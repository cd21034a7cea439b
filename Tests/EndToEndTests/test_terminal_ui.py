"""The terminal UI for real: `termauth authorize` and `termauth console` in tmux, with
Authlib as the client and a real server holding the other end."""
import re
import subprocess
import time

import pytest
import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session

from conftest import ALICE, ALICE_PASSWORD, Loopback, unique
from tmux_driver import TmuxSession, save_capture


def ui(termauth, *args):
    return [str(termauth.binary), *args, "--db", str(termauth.db), "--config", str(termauth.config)]


ENV = {"LANG": "C.UTF-8", "TERM": "xterm-256color"}


@pytest.fixture
def ui_client(seeded, server):
    client = seeded.add_client(unique("ui-app"), redirect_uris=["http://127.0.0.1/callback"],
                               scopes=["profile", "email"])
    return client


def authorization_url(server, client, loopback, scope):
    session = OAuth2Session(client["client_id"], client["client_secret"], scope=scope,
                            redirect_uri=loopback.redirect_uri, code_challenge_method="S256")
    verifier = generate_token(48)
    url, state = session.create_authorization_url(server.url("/authorize"), code_verifier=verifier)
    return session, url, state, verifier


def sign_in(tmux):
    return tmux.sign_in(ALICE, ALICE_PASSWORD)


def test_authorize_in_the_terminal_unticked_scope_is_not_granted_and_consent_is_remembered(seeded, server, ui_client):
    with Loopback("/callback") as loopback:
        session, url, state, verifier = authorization_url(server, ui_client, loopback, "profile email")
        with TmuxSession(ui(seeded, "authorize", url, "--issuer", server.base_url), env=ENV) as tmux:
            login = sign_in(tmux)
            assert ui_client["client_id"] in login and "127.0.0.1" in login
            assert ALICE_PASSWORD not in tmux.screen()
            consent = tmux.wait_for("Allow access?")
            save_capture("login", login)
            save_capture("consent", consent)
            assert "[x] Read your email address" in consent and "[x] Read your username" in consent
            # Focus starts on the first scope (email): untick it, tick "remember", approve.
            tmux.press("Space", "Down", "Down", "Space")
            assert "[ ] Read your email address" in tmux.screen()
            tmux.press("a")
            assert tmux.exit_code() == 0
            final = tmux.screen()
            assert "approved" in final and "delivered to the application" in final
        query = loopback.wait()
        assert query["state"] == state
        # RFC 9207: the answer names the server the client sent the person to.
        assert query["iss"] == server.base_url
        token = session.fetch_token(server.url("/token"), code=query["code"], code_verifier=verifier)
        assert token["scope"] == "profile"
        resource = requests.get(server.url("/resource"), headers={"Authorization": f"Bearer {token['access_token']}"}, timeout=10)
        assert resource.status_code == 200 and resource.json()["username"] == ALICE

    # The consent for "profile" was remembered: a second request for it skips the consent screen.
    with Loopback("/callback") as loopback:
        session, url, state, verifier = authorization_url(server, ui_client, loopback, "profile")
        with TmuxSession(ui(seeded, "authorize", url, "--issuer", server.base_url), env=ENV) as tmux:
            sign_in(tmux)
            assert tmux.exit_code() == 0
            assert "Allow access?" not in tmux.screen()
        query = loopback.wait()
        token = session.fetch_token(server.url("/token"), code=query["code"], code_verifier=verifier)
        assert token["scope"] == "profile"


def test_console_approves_a_request_parked_by_a_browser(seeded, server, ui_client):
    redirect = "http://127.0.0.1:9/callback"
    session = OAuth2Session(ui_client["client_id"], ui_client["client_secret"], scope="profile",
                            redirect_uri=redirect, code_challenge_method="S256")
    url, state = session.create_authorization_url(server.url("/authorize"), code_verifier=generate_token(48))
    page = requests.get(url, headers={"Accept": "text/html"}, timeout=10)
    assert page.status_code == 200
    code = re.search(r'class="code">([A-Z]{4}-[A-Z]{4})<', page.text).group(1)
    handle = re.search(r'url=(/authorize/continue\?handle=[^"]+)"', page.text).group(1)

    with TmuxSession(ui(seeded, "console"), env=ENV) as tmux:
        tmux.wait_for(code)
        save_capture("console", tmux.screen())
        # Select our request (newest requests are at the bottom; walk down to it).
        tmux.focus_line_with(code)
        tmux.press("Enter")
        # Picked by its code: first who asks, from where and when, and the warning; focus on Deny.
        confirm = tmux.confirm_request(code)
        assert "Approve a sign-in" in confirm and "ago from 127.0.0.1" in confirm, confirm
        sign_in(tmux)
        tmux.wait_for("Allow access?")
        tmux.press("a")
        tmux.wait_for(f"Approved {code}")
        tmux.press("q")
        assert tmux.exit_code() == 0

    finished = requests.get(server.url(handle.replace("&amp;", "&")), allow_redirects=False, timeout=10)
    assert finished.status_code == 302
    assert finished.headers["Location"].startswith(redirect + "?code=")
    assert f"state={state}" in finished.headers["Location"]


def test_hostile_text_is_refused_or_shown_inert(seeded, server):
    # Client names with control characters are refused at registration...
    proc = seeded.run("client", "add", "--name", "Evil\x1b[2J\rApp", "--redirect-uri",
                      "http://127.0.0.1/callback", "--json", check=False)
    assert proc.returncode == 2 and "printable" in proc.stderr
    # ...scope descriptions are stored as given and made inert where they are drawn.
    scope = unique("evil")
    seeded.run("scope", "add", scope, "--description", "Wipe\x1b[2J\x1b[H\rscreen\u202egnp.exe\u200b ok")
    client = seeded.add_client(unique("inert"), redirect_uris=["http://127.0.0.1/callback"], scopes=[scope])
    with Loopback("/callback") as loopback:
        _, url, _, _ = authorization_url(server, client, loopback, scope)
        with TmuxSession(ui(seeded, "authorize", url, "--issuer", server.base_url), env=ENV) as tmux:
            sign_in(tmux)
            consent = tmux.wait_for("Allow access?")
            # Had the escape reached the terminal, the screen would have been wiped.
            assert "Wipe[2J[Hscreengnp.exe ok" in consent
            assert "wants to:" in consent and "Remember this decision" in consent
            tmux.press("d")
            assert tmux.exit_code() == 1
        assert loopback.wait()["error"] == "access_denied"


def test_resize_too_small_and_ctrl_c_restores_the_terminal(seeded, server, ui_client):
    with Loopback("/callback") as loopback:
        _, url, _, _ = authorization_url(server, ui_client, loopback, "profile")
        with TmuxSession(ui(seeded, "authorize", url, "--issuer", server.base_url), env=ENV) as tmux:
            tmux.wait_for("Sign in")
            subprocess.run(["tmux", "resize-window", "-t", tmux.name, "-x", "30", "-y", "10"], check=True)
            assert "Terminal too small" in tmux.wait_for("too small")
            subprocess.run(["tmux", "resize-window", "-t", tmux.name, "-x", "80", "-y", "24"], check=True)
            tmux.wait_for("Sign in")
            tmux.press("C-c")
            assert tmux.exit_code() == 1
            after = tmux.screen()
            # endwin() ran: the UI is gone and the shell's own output is on a normal screen.
            assert "cancelled; nothing was sent" in after and "╭" not in after


def test_sigterm_restores_the_terminal(seeded, server, ui_client):
    with Loopback("/callback") as loopback:
        _, url, _, _ = authorization_url(server, ui_client, loopback, "profile")
        with TmuxSession(ui(seeded, "authorize", url, "--issuer", server.base_url), env=ENV) as tmux:
            tmux.wait_for("Sign in")
            pid = subprocess.run(["pgrep", "-n", "-f", "termauth authorize"], capture_output=True, text=True).stdout.split()
            assert pid, "termauth authorize is not running"
            subprocess.run(["kill", "-TERM", *pid], check=True)
            assert tmux.exit_code() == 143
            assert "╭" not in tmux.screen()
