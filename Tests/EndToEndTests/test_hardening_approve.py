"""Headless `termauth approve` (issue 15): a person about to approve by code sees
what they approve, says yes on purpose, and cannot guess codes.

- a summary on stderr: the client's self-chosen name (marked so), its id, the
  redirect origin or "a device", the source address, the age, the code and
  "Deny if someone sent you this code";
- on a terminal it asks `approve? [y/N]`; without one it needs `--yes`, else
  exit 2 and the request stays pending;
- `--deny` needs no `--yes`, and the audit row names the user;
- wrong approval codes count in the store: past `max_wrong_codes` even the
  right code is refused with "too many wrong codes; wait N seconds".
"""

from __future__ import annotations

import fcntl
import os
import random
import re
import select
import subprocess
import termios
import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from conftest import ALICE, ALICE_PASSWORD, BackgroundGet, unique
from hardening_helpers import (approve_yes, audit, authorize_url, instance, run_detached,
                               serve)

REDIRECT = "https://photos.example/cb"
ORIGIN = "https://photos.example"
BOB, BOB_PASSWORD = "bob", "bob's long password"
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
CONSONANTS = "BCDFGHJKLMNPQRSTVWXZ"


@pytest.fixture(scope="module")
def private(termauth, tmp_path_factory):
    directory = tmp_path_factory.mktemp("hardening-approve")
    ta = instance(termauth, directory, users=((ALICE, ALICE_PASSWORD), (BOB, BOB_PASSWORD)))
    with serve(ta, directory) as server:
        yield ta, server


def park(ta, server, name: str | None = None):
    """A non-browser agent waits on /authorize; returns (client, agent, entry)."""
    name = name or unique("Photo Sync")
    client = ta.add_client(name, redirect_uris=[REDIRECT], scopes=["profile"])
    agent = BackgroundGet(authorize_url(server, client, REDIRECT, state="s1"),
                          allow_redirects=False).start()
    entry = ta.wait_for_request(client["client_id"], stop_if=agent.early_answer)
    return client, agent, entry


def still_pending(ta, code: str) -> bool:
    return any(r.get("approval_code") == code for r in ta.list_requests())


def location_query(resp: requests.Response) -> dict:
    assert resp.status_code == 302, f"/authorize answered {resp.status_code}: {resp.text[:300]}"
    return {k: v[0] for k, v in parse_qs(urlsplit(resp.headers["Location"]).query).items()}


def assert_summary(stderr: str, *, name: str, client_id: str, where: str, code: str) -> None:
    assert name in stderr, f"client name {name!r} not in the summary:\n{stderr}"
    assert "(name chosen by the client)" in stderr, stderr
    assert client_id in stderr, f"client id not in the summary:\n{stderr}"
    assert where in stderr, f"{where!r} not in the summary:\n{stderr}"
    assert "127.0.0.1" in stderr, f"source address not in the summary:\n{stderr}"
    assert re.search(r"\bago\b", stderr), f"no age (\"... ago\") in the summary:\n{stderr}"
    assert code in stderr, f"approval code {code} not in the summary:\n{stderr}"
    assert "Deny if someone sent you this code" in stderr, stderr


# --------------------------------------------------------------------------


def test_without_terminal_approve_needs_yes_and_request_stays_pending(private):
    ta, server = private
    client, agent, entry = park(ta, server)
    code = entry["approval_code"]

    proc = run_detached(ta, "approve", code, "--user", ALICE, "--password-stdin",
                        input=ALICE_PASSWORD + "\n")
    assert proc.returncode == 2, \
        f"approve without a terminal and without --yes exited {proc.returncode}:\n" \
        f"stdout: {proc.stdout}\nstderr: {proc.stderr}"
    assert "--yes" in proc.stderr, proc.stderr
    assert not proc.stdout.startswith("approved"), proc.stdout
    time.sleep(0.5)  # the waiting agent polls every 200 ms
    assert agent.early_answer() is None, "the refused approve still decided the request"
    assert still_pending(ta, code), "the request is no longer pending after a refused approve"
    assert not any(e["kind"] == "request.approved" and e.get("client_id") == client["client_id"]
                   for e in audit(ta))

    # The same with --yes goes through.
    ok = approve_yes(ta, code)
    assert ok.stdout.startswith("approved"), ok.stdout
    got = location_query(agent.join())
    assert got.get("code") and got.get("state") == "s1", got


def test_approve_prints_summary_of_what_is_approved(private):
    ta, server = private
    name = unique("Photo Sync")
    client, agent, entry = park(ta, server, name=name)
    code = entry["approval_code"]
    time.sleep(1.1)  # so the age is at least a second, whatever its unit

    proc = run_detached(ta, "approve", code, "--user", ALICE, "--password-stdin", "--yes",
                        input=ALICE_PASSWORD + "\n")
    assert proc.returncode == 0, proc.stderr
    assert_summary(proc.stderr, name=name, client_id=client["client_id"], where=ORIGIN, code=code)
    # The redirect's path is not the point; the origin is what a person can check.
    got = location_query(agent.join())
    assert got.get("code"), got


def test_device_code_summary_says_a_device(private):
    ta, server = private
    name = unique("Living Room TV")
    client = ta.add_client(name, public=True, grants=[DEVICE_GRANT])
    r = requests.post(server.url("/device_authorization"),
                      data={"client_id": client["client_id"], "scope": "profile"}, timeout=10)
    assert r.status_code == 200, r.text
    device = r.json()
    user_code = device["user_code"]

    proc = run_detached(ta, "approve", user_code, "--user", ALICE, "--password-stdin",
                        input=ALICE_PASSWORD + "\n")
    assert proc.returncode == 2 and "--yes" in proc.stderr, (proc.returncode, proc.stderr)

    proc = run_detached(ta, "approve", user_code, "--user", ALICE, "--password-stdin", "--yes",
                        input=ALICE_PASSWORD + "\n")
    assert proc.returncode == 0, proc.stderr
    assert_summary(proc.stderr, name=name, client_id=client["client_id"], where="a device",
                   code=user_code)

    time.sleep(device.get("interval", 1))
    t = requests.post(server.url("/token"), timeout=10, data={
        "grant_type": DEVICE_GRANT, "device_code": device["device_code"],
        "client_id": client["client_id"]})
    assert t.status_code == 200 and t.json().get("access_token"), t.text


def test_deny_needs_no_yes_and_audit_names_the_user(private):
    ta, server = private
    client, agent, entry = park(ta, server)
    code = entry["approval_code"]

    proc = run_detached(ta, "approve", code, "--user", BOB, "--password-stdin", "--deny",
                        input=BOB_PASSWORD + "\n")
    assert proc.returncode in (0, 1), \
        f"--deny without --yes exited {proc.returncode}:\n{proc.stderr}"
    assert "denied" in proc.stdout, proc.stdout
    got = location_query(agent.join())
    assert got.get("error") == "access_denied" and "code" not in got, got
    assert not still_pending(ta, code)
    rows = [e for e in audit(ta) if e["kind"] == "request.denied"
            and e.get("client_id") == client["client_id"]]
    assert rows, "no request.denied audit row"
    assert rows[0].get("username") == BOB, rows


# --------------------------------------------------------------------------
# With a terminal: the question, answered on the terminal.


def _on_terminal(ta, args: list[str], answers: list[tuple[str, str]], timeout: float = 30):
    """Runs termauth on a fresh pseudo-terminal (its controlling terminal, and
    stdin/stdout/stderr). `answers` are (text to wait for, line to type), in
    the order the program may ask; whichever prompt shows first is answered.
    Returns (exit code, everything written to the terminal)."""
    master, slave = os.openpty()

    def make_controlling():
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    argv = [str(ta.binary), *args, "--db", str(ta.db), "--config", str(ta.config)]
    env = dict(ta.env, TERM="dumb")
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env,
                            start_new_session=True, preexec_fn=make_controlling, close_fds=True)
    os.close(slave)
    seen = b""
    pending = list(answers)
    done_upto = 0  # answered prompts are matched only in output after the last answer
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            r, _, _ = select.select([master], [], [], 0.1)
            if r:
                try:
                    chunk = os.read(master, 4096)
                except OSError:
                    chunk = b""
                if not chunk:
                    break
                seen += chunk
            fresh = seen[done_upto:].decode(errors="replace")
            for i, (prompt, reply) in enumerate(pending):
                if prompt in fresh:
                    time.sleep(0.1)  # let it switch echo off / start reading
                    os.write(master, (reply + "\n").encode())
                    done_upto = len(seen)
                    del pending[i]
                    break
            if proc.poll() is not None and not r:
                break
        code = proc.wait(timeout=max(1, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise AssertionError(f"termauth {' '.join(args)} still running on the terminal; "
                             f"screen:\n{seen.decode(errors='replace')}")
    finally:
        os.close(master)
    return code, seen.decode(errors="replace")


def test_on_a_terminal_approve_asks_and_only_y_approves(private):
    ta, server = private
    name = unique("Photo Sync")
    client, agent, entry = park(ta, server, name=name)
    code = entry["approval_code"]
    # Sign in on the terminal (no --password-stdin), so the order of the
    # password prompt and the question does not matter.
    args = ["approve", code, "--user", ALICE]
    answers = [("assword", ALICE_PASSWORD), ("approve? [y/N]", "n")]

    rc, screen = _on_terminal(ta, args, answers)
    assert "approve? [y/N]" in screen, f"no question on the terminal:\n{screen}"
    assert "Deny if someone sent you this code" in screen, screen
    assert client["client_id"] in screen, screen
    # "n" must not approve. Whether it denies or leaves the request pending
    # the spec leaves open; either way no code reaches the client.
    time.sleep(0.5)
    if agent.early_answer() is None:
        assert still_pending(ta, code), f"answering n: neither pending nor answered:\n{screen}"
        approve_yes(ta, code, "--deny")
    got = location_query(agent.join())
    assert "code" not in got and got.get("error") == "access_denied", \
        f"answering n approved the request (exit {rc}): {got}\n{screen}"
    assert not any(e["kind"] == "request.approved" and e.get("client_id") == client["client_id"]
                   for e in audit(ta))

    # A new request, answered y on the terminal, is approved.
    client, agent, entry = park(ta, server, name=name)
    args = ["approve", entry["approval_code"], "--user", ALICE]
    rc, screen = _on_terminal(ta, args, [("assword", ALICE_PASSWORD), ("approve? [y/N]", "y")])
    assert rc == 0, f"approve answered y exited {rc}:\n{screen}"
    assert "approve? [y/N]" in screen, screen
    got = location_query(agent.join())
    assert got.get("code"), got


# --------------------------------------------------------------------------
# Guessing codes


def wrong_code(avoid: set[str]) -> str:
    while True:
        c = "".join(random.choice(CONSONANTS) for _ in range(8))
        c = f"{c[:4]}-{c[4:]}"
        if c not in avoid:
            return c


def test_wrong_approval_codes_are_limited_even_for_the_right_code(termauth, tmp_path):
    ta = instance(termauth, tmp_path, security="max_wrong_codes = 3")
    with serve(ta, tmp_path) as server:
        client, agent, entry = park(ta, server)
        code = entry["approval_code"]
        avoid = {code}
        for i in range(4):
            proc = run_detached(ta, "approve", wrong_code(avoid), "--user", ALICE,
                                "--password-stdin", "--yes", input=ALICE_PASSWORD + "\n")
            assert proc.returncode == 1, f"wrong code #{i + 1}: exit {proc.returncode}\n{proc.stderr}"

        started = time.monotonic()
        proc = run_detached(ta, "approve", code, "--user", ALICE, "--password-stdin", "--yes",
                            input=ALICE_PASSWORD + "\n")
        assert proc.returncode == 1, \
            f"the right code after 4 wrong ones (limit 3) was accepted:\n{proc.stdout}{proc.stderr}"
        match = re.search(r"too many wrong codes; wait (\d+) seconds?", proc.stderr)
        assert match, proc.stderr
        assert 1 <= int(match.group(1)) <= 60, proc.stderr
        assert time.monotonic() - started < 30
        time.sleep(0.5)
        assert agent.early_answer() is None, "the refused right code decided the request"
        assert still_pending(ta, code)
