"""Timing tells neither usernames nor client ids apart (issue 15, §6).

Every failed sign-in (unknown user, wrong password) and every failed client authentication
(unknown client, wrong secret, a public client sending a secret) is answered after the same
floor, and does the same work before it: the same PBKDF2 hash for an unknown user as for a
known one. Each case is tried 200 times, the cases interleaved so drift hits them alike, and
their median response times must agree within 10 %.
"""

from __future__ import annotations

import base64
import concurrent.futures
import dataclasses
import statistics
import time

import requests

from conftest import ALICE, ALICE_PASSWORD, unique
from server_process import ServeProcess

TRIES = 200


def private_instance(termauth, directory, security: str):
    directory.mkdir(parents=True, exist_ok=True)
    config = directory / "termauth.toml"
    config.write_text("[security]\n" + security.strip() + "\n")
    ta = dataclasses.replace(termauth, db=directory / "termauth.sqlite3", config=config)
    ta.add_scope("profile", "Read your username and display name")
    ta.add_user(ALICE, ALICE_PASSWORD)
    return ta


def basic(client_id: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


def medians(server, cases: dict, tries: int, workers: int) -> dict:
    """POST /token for each case, interleaved; median seconds per case, and the statuses seen."""
    plan = [(name, i) for i in range(tries) for name in cases]
    local = __import__("threading").local()

    def one(item):
        name, i = item
        if not hasattr(local, "session"):
            local.session = requests.Session()
        headers, form = cases[name](i)
        started = time.perf_counter()
        r = local.session.post(server.url("/token"), data=form, headers=headers, timeout=30)
        return name, time.perf_counter() - started, r.status_code, r.json().get("error")

    times = {name: [] for name in cases}
    answers = {name: set() for name in cases}
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        for name, elapsed, status, error in pool.map(one, plan):
            times[name].append(elapsed)
            answers[name].add((status, error))
    return {name: statistics.median(t) for name, t in times.items()}, answers


def assert_within_ten_percent(found: dict):
    low, high = min(found.values()), max(found.values())
    shown = ", ".join(f"{name} {1000 * m:.1f} ms" for name, m in found.items())
    print(f"medians over {TRIES} tries: {shown}")
    assert high <= 1.10 * low, f"medians differ by more than 10 %: {shown}"


def sign_in_medians(termauth, directory, floor_ms: int | None, workers: int):
    """Median /token password-grant times for an unknown user and a wrong password, with
    the limits out of reach so every try reaches the password check rather than a lock."""
    ta = private_instance(termauth, directory, f"""
        password_hash_rounds = 20000
        max_failed_logins = 1000
        max_failed_logins_per_source = 1000000
        {"" if floor_ms is None else f"failed_sign_in_ms = {floor_ms}"}
    """)
    legacy = ta.add_client(unique("legacy"), grants=["password"], scopes=["profile"])
    auth = {"Authorization": basic(legacy["client_id"], legacy["client_secret"])}
    cases = {
        "unknown user": lambda i: (auth, {"grant_type": "password", "username": f"nobody{i}", "password": "wrong"}),
        "wrong password": lambda i: (auth, {"grant_type": "password", "username": ALICE, "password": f"wrong{i}"}),
    }
    with ServeProcess(ta, directory / "serve.log") as server:
        found, answers = medians(server, cases, TRIES, workers=workers)
    for name in cases:
        assert answers[name] == {(400, "invalid_grant")}, (name, answers[name])
    return found


def test_failed_sign_ins_take_the_same_time_whatever_the_reason(termauth, tmp_path):
    found = sign_in_medians(termauth, tmp_path / "signin", floor_ms=None, workers=8)
    assert_within_ten_percent(found)
    # The default floor (300 ms) is what they wait: nothing about the reason shows through.
    assert min(found.values()) >= 0.3


def test_the_hash_alone_makes_unknown_users_as_slow_as_known_ones(termauth, tmp_path):
    # No floor: what is left is the work itself, one PBKDF2 either way.
    assert_within_ten_percent(sign_in_medians(termauth, tmp_path / "hash", floor_ms=0, workers=1))


def test_failed_client_authentication_takes_the_same_time_whatever_the_reason(termauth, tmp_path):
    ta = private_instance(termauth, tmp_path / "client", "password_hash_rounds = 1000")
    svc = ta.add_client(unique("svc"), grants=["client_credentials"], scopes=["profile"])
    public = ta.add_client(unique("cli"), public=True, redirect_uris=["http://127.0.0.1/cb"])
    form = {"grant_type": "client_credentials"}
    cases = {
        "unknown client": lambda i: ({"Authorization": basic(f"nobody{i}", svc["client_secret"])}, form),
        "wrong secret": lambda i: ({"Authorization": basic(svc["client_id"], f"wrong{i}")}, form),
        "public client with a secret": lambda i: ({"Authorization": basic(public["client_id"], f"made-up{i}")}, form),
    }
    with ServeProcess(ta, tmp_path / "serve.log") as server:
        found, answers = medians(server, cases, TRIES, workers=8)
    for name in cases:
        assert answers[name] == {(401, "invalid_client")}, (name, answers[name])
    assert_within_ten_percent(found)
    assert min(found.values()) >= 0.05
