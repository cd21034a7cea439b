"""Two `termauth serve` processes on one PostgreSQL database: every single-use
thing stays single-use across them, and state (lockouts, consents, parked
requests, device approvals) is shared. Runs when TERMAUTH_TEST_POSTGRES names a
server (Tests/run-tests.sh starts a throw-away cluster); skipped otherwise.
"""

from __future__ import annotations

import dataclasses
import os
import secrets
import subprocess
import threading
import time
import types
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests

from conftest import ALICE, ALICE_PASSWORD, BackgroundGet, unique
from server_process import (DEVICE_GRANT, PRIVATE_CONFIG, ServeProcess, introspect, pkce_pair)
from test_races import all_at_once, outcomes

POSTGRES = os.environ.get("TERMAUTH_TEST_POSTGRES", "")
pytestmark = pytest.mark.skipif(not POSTGRES, reason="TERMAUTH_TEST_POSTGRES is not set (no PostgreSQL server)")


def postgres_termauth(termauth, directory, name: str):
    """The session's binary over a brand-new PostgreSQL schema."""
    directory.mkdir(parents=True, exist_ok=True)
    config = directory / "termauth.toml"
    config.write_text(PRIVATE_CONFIG + f'\n[storage]\napproval_key_file = "{directory / "approval.key"}"\n')
    schema = f"{name}_{secrets.token_hex(4)}"
    url = POSTGRES + ("&" if "?" in POSTGRES else "?") + f"schema={schema}"
    instance = dataclasses.replace(termauth, db=url, config=config)
    instance.add_scope("profile", "Read your username and display name")
    instance.add_user(ALICE, ALICE_PASSWORD, display_name="Alice Example")
    return instance


@pytest.fixture(scope="module")
def replicas(termauth, tmp_path_factory):
    directory = tmp_path_factory.mktemp("replicas")
    ta = postgres_termauth(termauth, directory, "replicas")
    with ServeProcess(ta, directory / "a.log") as a, ServeProcess(ta, directory / "b.log") as b:
        assert a.base_url != b.base_url
        rs = ta.add_client(unique("rs"), grants=["client_credentials"], introspect=True)
        yield ta, a, b, (rs["client_id"], rs["client_secret"])


def park(server, client, redirect_uri, scope="profile"):
    verifier, challenge = pkce_pair()
    state = secrets.token_urlsafe(12)
    query = urlencode({"response_type": "code", "client_id": client["client_id"], "redirect_uri": redirect_uri,
                       "scope": scope, "state": state, "code_challenge": challenge, "code_challenge_method": "S256"})
    agent = BackgroundGet(f"{server.base_url}/authorize?{query}", allow_redirects=False).start()
    return agent, verifier, state


def redirect_query(response) -> dict:
    assert response.status_code == 302, f"/authorize answered {response.status_code}: {response.text[:300]}"
    return {k: v[0] for k, v in parse_qs(urlsplit(response.headers["Location"]).query).items()}


def code_on(ta, parking, client, redirect_uri="http://127.0.0.1:9/cb"):
    agent, verifier, state = park(parking, client, redirect_uri)
    ta.approve(ta.wait_for_approval_code(client["client_id"], stop_if=agent.early_answer))
    got = redirect_query(agent.join())
    assert got["state"] == state
    return got["code"], verifier


def test_a_request_parked_on_one_server_is_answered_by_it_after_approval_elsewhere(replicas):
    ta, a, b, _ = replicas
    client = ta.add_client(unique("app"), redirect_uris=["http://127.0.0.1:9/cb"], scopes=["profile"])
    for parking in (a, b):
        agent, _, state = park(parking, client, "http://127.0.0.1:9/cb")
        approval = ta.wait_for_approval_code(client["client_id"], stop_if=agent.early_answer)
        ta.approve(approval)
        approved_at = time.monotonic()
        got = redirect_query(agent.join())
        latency = time.monotonic() - approved_at
        assert got["state"] == state and got["code"]
        # The long poll reads the database every 200 ms; allow for a loaded CI machine.
        assert latency < 2.0, f"the waiting server answered {latency:.2f} s after approval"
        print(f"parked on {parking.base_url}: 302 {latency * 1000:.0f} ms after `termauth approve` returned")


def test_fifty_redemptions_of_one_code_over_both_servers_one_wins(replicas):
    ta, a, b, rs_auth = replicas
    client = ta.add_client(unique("app"), redirect_uris=["http://127.0.0.1:9/cb"], scopes=["profile"])
    code, verifier = code_on(ta, a, client)
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": "http://127.0.0.1:9/cb",
            "code_verifier": verifier}
    auth = (client["client_id"], client["client_secret"])
    turn = iter(range(1000))
    lock = threading.Lock()

    def send(session):
        with lock:
            server = (a, b)[next(turn) % 2]
        return session.post(server.url("/token"), data=form, auth=auth, timeout=30)

    results = all_at_once(50, a, send)
    wins, errors = outcomes(results)
    assert len(wins) == 1, f"{len(wins)} successes: {errors[:5]}"
    assert errors == [(400, "invalid_grant")] * 49, errors
    # The replay revoked what the winner got, wherever it is asked.
    token = wins[0].json()["access_token"]
    assert introspect(a, rs_auth, token)["active"] is False
    assert introspect(b, rs_auth, token)["active"] is False


def test_twenty_uses_of_one_refresh_token_over_both_servers_one_rotation(replicas):
    ta, a, b, rs_auth = replicas
    client = ta.add_client(unique("app"), redirect_uris=["http://127.0.0.1:9/cb"], scopes=["profile"])
    code, verifier = code_on(ta, b, client)
    auth = (client["client_id"], client["client_secret"])
    first = requests.post(a.url("/token"), auth=auth, timeout=30, data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": "http://127.0.0.1:9/cb", "code_verifier": verifier})
    assert first.status_code == 200, first.text
    refresh = first.json()["refresh_token"]
    turn = iter(range(1000))
    lock = threading.Lock()

    def send(session):
        with lock:
            server = (a, b)[next(turn) % 2]
        return session.post(server.url("/token"), auth=auth, timeout=30,
                            data={"grant_type": "refresh_token", "refresh_token": refresh})

    wins, errors = outcomes(all_at_once(20, a, send))
    assert len(wins) == 1, f"{len(wins)} rotations: {errors[:5]}"
    assert errors == [(400, "invalid_grant")] * 19, errors
    rotated = wins[0].json()
    # A reuse arrived after the rotation, so the whole family is revoked on both servers.
    for server in (a, b):
        assert introspect(server, rs_auth, rotated["access_token"])["active"] is False
        assert introspect(server, rs_auth, rotated["refresh_token"])["active"] is False
        assert introspect(server, rs_auth, first.json()["access_token"])["active"] is False


def test_failed_sign_ins_count_across_servers_and_lock_on_both(replicas):
    ta, a, b, _ = replicas
    username = unique("bob")
    ta.add_user(username, "right password one")
    client = ta.add_client(unique("pw"), grants=["password"], scopes=["profile"])
    auth = (client["client_id"], client["client_secret"])

    def password_grant(server, password):
        return server_post(server, auth, {"grant_type": "password", "username": username, "password": password,
                                          "scope": "profile"})

    # The default limit is five failures; split them over the two servers.
    for server in (a, b, a, b, a):
        r = password_grant(server, "wrong")
        assert r.status_code == 400 and r.json()["error"] == "invalid_grant", r.text
    for server in (a, b):
        r = password_grant(server, "right password one")
        assert r.status_code == 400 and r.json()["error"] == "invalid_grant", f"not locked on {server.base_url}: {r.text}"
    events = ta.json("audit", "--json", "--limit", "200")
    assert any(e["kind"] == "login.locked" and e["username"] == username for e in events)


def server_post(server, auth, form):
    return requests.post(server.url("/token"), auth=auth, data=form, timeout=30)


def test_a_remembered_consent_is_seen_by_both_servers(replicas):
    ta, a, b, _ = replicas
    client = ta.add_client(unique("app"), redirect_uris=["http://127.0.0.1:9/cb"], scopes=["profile"])
    agent, _, _ = park(a, client, "http://127.0.0.1:9/cb")
    ta.approve(ta.wait_for_approval_code(client["client_id"], stop_if=agent.early_answer), "--remember")
    redirect_query(agent.join())
    consents = ta.json("consent", "list", "--json")
    assert [c for c in consents if c["client_id"] == client["client_id"]], consents
    # Remembered through a request parked on A; the request parked on B skips consent:
    # `termauth authorize` against B goes straight from sign-in to the redirect.
    agent, _, state = park(b, client, "http://127.0.0.1:9/cb")
    approval = ta.wait_for_approval_code(client["client_id"], stop_if=agent.early_answer)
    out = ta.json("approve", approval, "--user", ALICE, "--password-stdin", "--yes", "--json", input=ALICE_PASSWORD + "\n")
    assert out["status"] == "approved" and out["scope"] == "profile"
    assert redirect_query(agent.join())["state"] == state


def test_device_polling_through_either_server_sees_one_approval(replicas):
    ta, a, b, rs_auth = replicas
    client = ta.add_client(unique("tv"), public=True, grants=["urn:ietf:params:oauth:grant-type:device_code"],
                           scopes=["profile"])
    r = requests.post(a.url("/device_authorization"), data={"client_id": client["client_id"], "scope": "profile"}, timeout=30)
    assert r.status_code == 200, r.text
    device = r.json()
    ta.approve(device["user_code"])
    tokens, errors = [], []
    deadline = time.monotonic() + 30
    turn = 0
    while time.monotonic() < deadline and len(tokens) + len(errors) < 6:
        server = (b, a)[turn % 2]
        turn += 1
        p = requests.post(server.url("/token"), timeout=30, data={
            "grant_type": DEVICE_GRANT, "device_code": device["device_code"], "client_id": client["client_id"]})
        if p.status_code == 200:
            tokens.append(p.json())
        elif p.json()["error"] in ("authorization_pending", "slow_down"):
            pass
        else:
            errors.append(p.json()["error"])
        time.sleep(1.1)
    assert len(tokens) == 1, f"{len(tokens)} tokens for one approval; errors {errors}"
    assert errors and set(errors) == {"invalid_grant"}, errors
    assert introspect(b, rs_auth, tokens[0]["access_token"])["active"] is True


def test_migrate_copies_a_sqlite_installation_into_an_empty_postgres_database(termauth, tmp_path):
    from server_process import private_termauth
    old = private_termauth(termauth, tmp_path / "sqlite")
    client = old.add_client(unique("app"), redirect_uris=["http://127.0.0.1:9/cb"], scopes=["profile"],
                            grants=["client_credentials", "authorization_code"])
    token = old.json("token", "issue", "--client", client["client_id"], "--user", ALICE, "--scope", "profile", "--json")
    new = dataclasses.replace(old, db=POSTGRES + ("&" if "?" in POSTGRES else "?") + f"schema=moved_{secrets.token_hex(4)}")
    copied = new.json("migrate", "--from", str(old.db), "--to", str(new.db), "--json")
    # profile, and the three OpenID scopes every store has from the start (migration v5).
    assert copied["clients"] == 1 and copied["users"] == 1 and copied["scopes"] == 4 and copied["tokens"] == 1, copied
    assert copied["audit"] >= 3, copied
    # Everything works from PostgreSQL: the token, the client's secret, the user's password.
    assert new.json("token", "introspect", token["access_token"], "--json")["active"] is True
    with ServeProcess(new, tmp_path / "serve.log") as server:
        r = requests.post(server.url("/token"), data={"grant_type": "client_credentials"},
                          auth=(client["client_id"], client["client_secret"]), timeout=30)
        assert r.status_code == 200, r.text
        r = requests.get(server.url("/resource"), headers={"Authorization": f"Bearer {token['access_token']}"}, timeout=30)
        assert r.status_code == 200 and r.json()["username"] == ALICE, r.text
    # A second copy into the same (no longer empty) database is refused, and changes nothing.
    again = new.run("migrate", "--from", str(old.db), "--to", str(new.db), check=False)
    assert again.returncode == 2 and "already holds" in again.stderr, again.stderr
    assert len(new.json("client", "list", "--json")) == 1


def test_a_schema_newer_than_the_binary_is_refused(termauth, tmp_path):
    ta = postgres_termauth(termauth, tmp_path, "future")
    status = ta.json("migrate", "--json")
    assert status["version"] == status["latest"] >= 1, status
    schema = str(ta.db).rsplit("schema=", 1)[1]
    base = POSTGRES.split("?", 1)[0]
    subprocess.run(["psql", base, "-v", "ON_ERROR_STOP=1", "-qc",
                    f"INSERT INTO {schema}.termauth_schema VALUES (999, 'from the future', 0)"], check=True)
    serve = subprocess.run([str(ta.binary), "serve", "--db", str(ta.db), "--config", str(ta.config), "--port", "0"],
                           capture_output=True, text=True, timeout=60, env=ta.env)
    assert serve.returncode != 0
    assert "newer than this termauth knows" in serve.stderr, serve.stderr


@pytest.fixture
def nginx(replicas, tmp_path):
    """nginx from Debian with Tests/EndToEndTests/nginx-replicas.conf in front of both replicas."""
    import shutil
    import socket
    from pathlib import Path
    binary = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if not binary:
        pytest.skip("nginx is not installed (Tests/setup.sh installs nginx-light)")
    _, a, b, _ = replicas
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    template = (Path(__file__).parent / "nginx-replicas.conf").read_text()
    conf = tmp_path / "nginx.conf"
    conf.write_text(template.replace("@LISTEN@", str(port)).replace("@DIR@", str(tmp_path))
                    .replace("@A@", urlsplit(a.base_url).netloc).replace("@B@", urlsplit(b.base_url).netloc))
    process = subprocess.Popen([binary, "-p", str(tmp_path), "-c", str(conf)], stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            if requests.get(base + "/healthz", timeout=1).status_code == 200:
                break
        except requests.RequestException:
            time.sleep(0.1)
    else:
        process.kill()
        pytest.fail(f"nginx did not come up: {process.stderr.read()}")
    yield base
    process.terminate()
    process.wait(10)


def test_the_readmes_nginx_config_spreads_a_whole_flow_over_both_replicas(replicas, nginx):
    ta, a, b, rs_auth = replicas
    front = types.SimpleNamespace(base_url=nginx)  # what park() needs of a server
    client = ta.add_client(unique("web"), redirect_uris=["http://127.0.0.1:9/cb"], scopes=["profile"])
    before = {s.base_url: s.log_path.read_text().count("POST /token") for s in (a, b)}
    code, verifier = code_on(ta, front, client)  # the long poll is held through nginx
    auth = (client["client_id"], client["client_secret"])
    r = requests.post(nginx + "/token", auth=auth, timeout=30, data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": "http://127.0.0.1:9/cb", "code_verifier": verifier})
    assert r.status_code == 200, r.text
    refresh = r.json()["refresh_token"]
    for _ in range(6):
        r = requests.post(nginx + "/token", auth=auth, timeout=30, data={"grant_type": "refresh_token", "refresh_token": refresh})
        assert r.status_code == 200, r.text
        refresh = r.json()["refresh_token"]
    r = requests.get(nginx + "/resource", headers={"Authorization": f"Bearer {r.json()['access_token']}"}, timeout=30)
    assert r.status_code == 200 and r.json()["username"] == ALICE, r.text
    time.sleep(0.3)  # the servers flush their logs every 50 ms
    served = {s.base_url: s.log_path.read_text().count("POST /token") - before[s.base_url] for s in (a, b)}
    assert all(n > 0 for n in served.values()), f"nginx did not use both replicas: {served}"


def test_the_console_on_postgres_approves_what_a_replica_holds_and_that_replica_answers(replicas):
    from tmux_driver import TmuxSession, save_capture
    ta, a, b, _ = replicas
    client = ta.add_client(unique("ui"), redirect_uris=["http://127.0.0.1:9/cb"], scopes=["profile"])
    agent, _, state = park(b, client, "http://127.0.0.1:9/cb")
    code = ta.wait_for_approval_code(client["client_id"], stop_if=agent.early_answer)
    argv = [str(ta.binary), "console", "--db", str(ta.db), "--config", str(ta.config)]
    with TmuxSession(argv, env={"LANG": "C.UTF-8", "TERM": "xterm-256color"}) as tmux:
        tmux.wait_for(code)
        save_capture("console-postgres", tmux.screen())
        tmux.focus_line_with(code)
        tmux.press("Enter")
        tmux.confirm_request(code)
        tmux.sign_in(ALICE, ALICE_PASSWORD)
        tmux.wait_for("Allow access?")
        tmux.press("a")
        tmux.wait_for(f"Approved {code}")
        tmux.press("q")
        assert tmux.exit_code() == 0
    got = redirect_query(agent.join())
    assert got["state"] == state and got["code"]


def test_an_unreachable_or_wrong_database_is_named_at_once(termauth):
    from urllib.parse import urlsplit as split
    parts = split(POSTGRES)
    cases = [
        (f"postgres://postgres@127.0.0.1:1/postgres", "connection refused"),
        (f"postgres://no_such_role@{parts.netloc.split('@')[-1]}/postgres", 'role "no_such_role" does not exist'),
        (f"postgres://postgres@{parts.netloc.split('@')[-1]}/no_such_db", 'database "no_such_db" does not exist'),
    ]
    for url, words in cases:
        started = time.monotonic()
        proc = subprocess.run([str(termauth.binary), "client", "list", "--db", url, "--config", str(termauth.config)],
                              capture_output=True, text=True, timeout=60, env=termauth.env)
        took = time.monotonic() - started
        assert proc.returncode == 1 and words in proc.stderr, (url, proc.stderr)
        assert took < 10, f"{url}: took {took:.1f} s to say so"
        assert proc.stderr.count("\n") == 1, f"one line, not a log: {proc.stderr!r}"
