"""RFC 8628 with a real client: Authlib asks for a device code, polls the token endpoint,
and a person approves with `termauth approve USER_CODE` or on the `termauth device` screen."""
import threading
import time

import requests
from authlib.integrations.requests_client import OAuth2Session

from conftest import ALICE, ALICE_PASSWORD, unique
from hardening_helpers import instance
from tmux_driver import TmuxSession

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


def start_device_flow(server, client_id, scope="profile"):
    r = requests.post(server.url("/device_authorization"), data={"client_id": client_id, "scope": scope}, timeout=10)
    assert r.status_code == 200, r.text
    return r.json()


def poll_in_background(server, client_id, device):
    """Authlib's session polls as a device would; the answer lands in `result`."""
    result = {}

    def run():
        # A public client: no secret, client_id in the body (Authlib adds it once).
        session = OAuth2Session(client_id, token_endpoint_auth_method="none")
        interval = device["interval"]
        deadline = time.monotonic() + 120
        first = True
        while time.monotonic() < deadline:
            if not first:
                time.sleep(interval)
            first = False
            try:
                result["token"] = session.fetch_token(server.url("/token"), grant_type=DEVICE_GRANT,
                                                      device_code=device["device_code"])
                return
            except Exception as exc:  # authlib raises OAuthError with .error
                error = getattr(exc, "error", str(exc))
                result.setdefault("errors", []).append(error)
                if error == "slow_down":
                    interval += 5
                elif error != "authorization_pending":
                    result["error"] = error
                    return

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, result


def device_client(seeded):
    return seeded.add_client(unique("tv"), public=True, grants=["urn:ietf:params:oauth:grant-type:device_code", "refresh_token"])


def test_device_flow_with_authlib_approved_headlessly(seeded, server):
    client = device_client(seeded)
    device = start_device_flow(server, client["client_id"])
    assert device["verification_uri"].endswith("/device")
    thread, result = poll_in_background(server, client["client_id"], device)
    deadline = time.monotonic() + 30
    while not result.get("errors") and time.monotonic() < deadline:
        time.sleep(0.1)
    # The user code works case- and dash-insensitively.
    seeded.approve(device["user_code"].lower().replace("-", ""))
    thread.join(60)
    token = result.get("token")
    assert token, result
    assert token["scope"] == "profile" and token.get("refresh_token")
    assert result["errors"][0] == "authorization_pending"
    r = requests.get(server.url("/resource"), headers={"Authorization": f"Bearer {token['access_token']}"}, timeout=10)
    assert r.status_code == 200 and r.json()["username"] == ALICE


def test_device_denied(seeded, server):
    client = device_client(seeded)
    device = start_device_flow(server, client["client_id"])
    thread, result = poll_in_background(server, client["client_id"], device)
    seeded.approve(device["user_code"], "--deny")
    thread.join(60)
    assert result.get("error") == "access_denied", result


def test_device_screen_in_tmux(seeded, server):
    client = device_client(seeded)
    device = start_device_flow(server, client["client_id"])
    thread, result = poll_in_background(server, client["client_id"], device)
    argv = [str(seeded.binary), "device", "--db", str(seeded.db), "--config", str(seeded.config)]
    with TmuxSession(argv, env={"LANG": "C.UTF-8", "TERM": "xterm-256color"}) as tmux:
        tmux.wait_for("Type the code shown on your device")
        tmux.type("BCDF-GHJK")  # not a pending code
        tmux.press("Enter")
        tmux.wait_for("not waiting for approval")
        tmux.type(device["user_code"].lower())
        tmux.press("Enter")
        confirm = tmux.wait_for("device you own")
        assert client["client_id"] in confirm and "127.0.0.1" in confirm
        assert "▶ Deny ◀" in confirm, "focus starts on Deny"
        tmux.press("Left", "Enter")
        tmux.sign_in(ALICE, ALICE_PASSWORD)
        tmux.wait_for("Allow access?")
        tmux.press("a")
        assert tmux.exit_code() == 0
        assert "approved" in tmux.screen()
    thread.join(60)
    assert result.get("token", {}).get("scope") == "profile", result


def test_wrong_device_codes_are_rate_limited(termauth, tmp_path):
    # A database of its own: the limit holds for this machine's account for a minute, and
    # must not refuse the approvals of the tests that follow.
    own = instance(termauth, tmp_path)
    argv = [str(own.binary), "device", "--db", str(own.db), "--config", str(own.config)]
    with TmuxSession(argv, env={"LANG": "C.UTF-8", "TERM": "xterm-256color"}) as tmux:
        tmux.wait_for("Type the code")
        for _ in range(6):
            tmux.type("ZZZZ-ZZZZ")
            tmux.press("Enter")
            time.sleep(0.3)
        assert "too many wrong codes" in tmux.wait_for("too many wrong codes")
        tmux.press("Escape")
        assert tmux.exit_code() == 1


def test_introspection_and_revocation_with_a_resource_server_client(seeded, server):
    rs = seeded.add_client(unique("rs"), grants=["client_credentials"], introspect=True)
    token = seeded.json("token", "issue", "--client", rs["client_id"], "--user", ALICE, "--scope", "profile", "--json")
    auth = (rs["client_id"], rs["client_secret"])
    info = requests.post(server.url("/introspect"), data={"token": token["access_token"]}, auth=auth, timeout=10).json()
    assert info["active"] is True and info["username"] == ALICE and info["scope"] == "profile"
    assert requests.post(server.url("/revoke"), data={"token": token["access_token"]}, auth=auth, timeout=10).status_code == 200
    info = requests.post(server.url("/introspect"), data={"token": token["access_token"]}, auth=auth, timeout=10).json()
    assert info == {"active": False}
    cli = seeded.run("token", "introspect", token["access_token"], check=False)
    assert cli.returncode == 1 and "inactive" in cli.stdout
