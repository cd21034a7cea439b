"""The command line's promises: clear one-line errors, exit codes (0 ok,
1 refused, 2 usage), secrets shown once, a private database file."""
import json
import os
import stat
import subprocess

from conftest import ALICE, ALICE_PASSWORD, TermAuth, unique


def fails(termauth: TermAuth, *args, input=None, code=None):
    proc = termauth.run(*args, input=input, check=False)
    assert proc.returncode != 0, f"`termauth {' '.join(args)}` should fail:\n{proc.stdout}"
    if code is not None:
        assert proc.returncode == code, (proc.returncode, proc.stderr)
    lines = [l for l in proc.stderr.splitlines() if l.strip()]
    assert lines and lines[0].startswith("termauth: error: ") or code == 2, proc.stderr
    return proc.stderr


def test_bad_inputs_get_one_clear_line_and_a_nonzero_exit(seeded):
    assert "already exists" in fails(seeded, "user", "add", ALICE, "--password-stdin",
                                     input="another password\n", code=1)
    assert "at least 8" in fails(seeded, "user", "add", unique("bob"), "--password-stdin",
                                 input="short\n", code=2)
    err = fails(seeded, "client", "add", "--name", "x", "--redirect-uri", "not a uri", code=2)
    assert "redirect URI" in err
    err = fails(seeded, "client", "add", "--name", "x", "--redirect-uri", "http://example.com/cb", code=2)
    assert "loopback" in err
    assert "unknown scope" in fails(seeded, "client", "add", "--name", "x", "--redirect-uri",
                                    "https://a.example/cb", "--scope", "nope", code=2)
    assert "unknown grant type" in fails(seeded, "client", "add", "--name", "x", "--redirect-uri",
                                         "https://a.example/cb", "--grant", "magic", code=2)
    assert "not found" in fails(seeded, "client", "remove", "no-such-client", code=1)
    assert "not an approval code" in fails(seeded, "approve", "hello", "--user", ALICE,
                                           "--password-stdin", input="x\n", code=2)
    assert "no pending authorization request" in fails(
        seeded, "approve", "BCDF-GHJK", "--user", ALICE, "--password-stdin",
        input=ALICE_PASSWORD + "\n", code=1)
    fails(seeded, "serve", "--port", "70000", code=2)
    fails(seeded, "client", "add", code=2)  # missing --name: argument parser usage error


def test_broken_settings_file_names_file_and_key(termauth, tmp_path):
    broken = tmp_path / "broken.toml"
    broken.write_text('[lifetimes]\naccess_token = "an hour"\n')
    proc = subprocess.run([str(termauth.binary), "scope", "list", "--db", str(termauth.db),
                           "--config", str(broken)], capture_output=True, text=True)
    assert proc.returncode == 2
    assert f"{broken}: lifetimes.access_token: expected an integer" in proc.stderr


def test_client_secret_is_shown_once_and_works(seeded, server):
    out = seeded.add_client(unique("svc"), grants=["client_credentials"])
    listed = seeded.json("client", "list", "--json")
    assert out["client_secret"] not in json.dumps(listed)
    new = seeded.json("client", "reset-secret", out["client_id"], "--json")
    assert new["client_secret"] != out["client_secret"]


def test_token_issue_and_resource(seeded, server):
    import requests
    client = seeded.add_client(unique("ops"), redirect_uris=["https://ops.example/cb"])
    token = seeded.json("token", "issue", "--client", client["client_id"], "--user", ALICE,
                        "--scope", "profile", "--ttl", "60", "--json")
    assert token["expires_in"] == 60
    r = requests.get(f"{server.base_url}/resource",
                     headers={"Authorization": f"Bearer {token['access_token']}"}, timeout=10)
    assert r.status_code == 200 and r.json()["username"] == ALICE


def test_database_and_key_are_private(seeded):
    for path in [seeded.db, seeded.db.with_name(seeded.db.name + ".key")]:
        mode = stat.S_IMODE(os.stat(path).st_mode)
        assert mode == 0o600, f"{path} has mode {oct(mode)}"


def test_lockout_after_repeated_wrong_passwords(seeded, server):
    import base64, hashlib, secrets
    from urllib.parse import urlencode
    from conftest import BackgroundGet
    user = unique("carol")
    seeded.add_user(user, "carol's password")
    client = seeded.add_client(unique("lock"), redirect_uris=["http://127.0.0.1/cb"])
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    query = urlencode({"response_type": "code", "client_id": client["client_id"],
                       "redirect_uri": "http://127.0.0.1:9/cb", "scope": "profile",
                       "code_challenge": challenge, "code_challenge_method": "S256"})
    agent = BackgroundGet(f"{server.base_url}/authorize?{query}", allow_redirects=False).start()
    code = seeded.wait_for_approval_code(client["client_id"], stop_if=agent.early_answer)
    for _ in range(5):
        proc = seeded.approve(code, user=user, password="wrong password", check=False)
        assert proc.returncode == 1
        assert "incorrect username or password" in proc.stderr, proc.stderr
    # Locked: even the right password is refused, with the same words as a wrong one, and the
    # request stays parked.
    proc = seeded.approve(code, user=user, password="carol's password", check=False)
    assert proc.returncode == 1 and "incorrect username or password" in proc.stderr
    users = {u["username"]: u for u in seeded.json("user", "list", "--json")}
    assert users[user]["locked"] is True
    # An operator resetting the password lifts the lock; then approval completes.
    seeded.run("user", "passwd", user, "--password-stdin", input="a new password\n")
    seeded.approve(code, user=user, password="a new password")
    answer = agent.join()
    assert answer.status_code == 302 and "code=" in answer.headers["Location"]
    audit = seeded.json("audit", "--json", "--limit", "200")
    assert any(e["kind"] == "login.locked" and e["username"] == user for e in audit)
