"""Crash safety: "every token a client has received is committed before the
response leaves". A server killed with SIGKILL in the middle of load must,
once restarted on the same database, know every token whose 200 response a
client received in full, and the database file must pass SQLite's integrity
check.

Each test runs its own server on a fresh database (server_process.py); the
shared session server is never killed.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests

from conftest import ALICE, ALICE_PASSWORD, unique
from server_process import (DEVICE_GRANT, ServeProcess, integrity_check, introspect,
                            private_termauth)

LOAD_THREADS = 16
LOAD_SECONDS = 1.5


def run_until_killed(server: ServeProcess, worker, threads: int = LOAD_THREADS,
                     seconds: float = LOAD_SECONDS) -> None:
    """Starts `threads` copies of worker(session, stop), lets them hammer the
    server, SIGKILLs it mid-load and waits for every worker to notice."""
    stop = threading.Event()

    def run():
        with requests.Session() as session:
            worker(session, stop)

    pool = [threading.Thread(target=run, daemon=True) for _ in range(threads)]
    for t in pool:
        t.start()
    time.sleep(seconds)
    server.kill()
    stop.set()
    for t in pool:
        t.join(30)
        assert not t.is_alive(), "a load thread hung after the server died"


def check_all_active(server: ServeProcess, auth: tuple, tokens: list) -> list:
    """Introspects every token on the restarted server; returns the inactive ones."""
    def one(token):
        return None if introspect(server, auth, token).get("active") is True else token

    with ThreadPoolExecutor(8) as pool:
        return [t for t in pool.map(one, tokens) if t is not None]


def test_client_credentials_tokens_survive_sigkill_under_load(termauth, tmp_path):
    ta = private_termauth(termauth, tmp_path)
    client = ta.add_client(unique("job"), grants=["client_credentials"], scopes=["profile"])
    auth = (client["client_id"], client["client_secret"])
    received: list[str] = []
    unexpected: list[str] = []  # an assert in a load thread would go unseen
    server = ServeProcess(ta, tmp_path / "serve.log").start()
    try:
        def worker(session, stop):
            while not stop.is_set():
                try:
                    r = session.post(server.url("/token"), auth=auth, timeout=10,
                                     data={"grant_type": "client_credentials", "scope": "profile"})
                    body = r.json()  # a cut-off body fails here and is not counted
                except (requests.RequestException, ValueError):
                    return  # the server is gone
                if r.status_code != 200:
                    unexpected.append(f"{r.status_code}: {r.text[:300]}")
                    return
                received.append(body["access_token"])

        run_until_killed(server, worker)
        assert not unexpected, unexpected[:3]
        assert server.process.returncode == -9
        # The file as the crash left it (WAL not yet checkpointed) is consistent.
        assert integrity_check(ta.db) == "ok"
        assert len(received) > 50, f"load too light to mean anything: {len(received)} tokens"

        server.start()
        lost = check_all_active(server, auth, received)
        print(f"client_credentials: {len(received)} tokens received before SIGKILL, "
              f"{len(lost)} lost after restart")
        assert not lost, f"{len(lost)} of {len(received)} received tokens were lost: {lost[:3]}"
    finally:
        server.stop()
    assert integrity_check(ta.db) == "ok"


def test_device_flow_survives_sigkill_while_polling(termauth, tmp_path):
    """Devices poll while a person approves; the server dies mid-poll, more
    approvals happen while it is down (the CLI needs no server), and after the
    restart every device ends with exactly one token, which is active."""
    ta = private_termauth(termauth, tmp_path)
    device_client = ta.add_client(unique("tv"), public=True, grants=[DEVICE_GRANT, "refresh_token"])
    rs = ta.add_client(unique("rs"), grants=["client_credentials"], introspect=True)
    rs_auth = (rs["client_id"], rs["client_secret"])
    server = ServeProcess(ta, tmp_path / "serve.log").start()
    devices = []
    for _ in range(8):
        r = requests.post(server.url("/device_authorization"), timeout=10,
                          data={"client_id": device_client["client_id"], "scope": "profile"})
        assert r.status_code == 200, r.text
        devices.append({**r.json(), "tokens": [], "errors": [], "cut_off": 0})
    finished = threading.Event()

    def poll(device):
        """A device per RFC 8628 §3.5 that also rides out a dead server: it
        keeps polling until it has a token or a final error."""
        interval = device["interval"]
        with requests.Session() as session:
            while not finished.is_set():
                time.sleep(interval)
                try:
                    r = session.post(server.url("/token"), timeout=10, data={
                        "grant_type": DEVICE_GRANT, "device_code": device["device_code"],
                        "client_id": device_client["client_id"]})
                    body = r.json()
                except (requests.RequestException, ValueError):
                    device["cut_off"] += 1  # server down, or the answer was cut off
                    continue
                if r.status_code == 200:
                    device["tokens"].append(body)
                    return
                device["errors"].append(body.get("error"))
                if body.get("error") == "slow_down":
                    interval += 5
                elif body.get("error") != "authorization_pending":
                    return

    pollers = [threading.Thread(target=poll, args=(d,), daemon=True) for d in devices]
    try:
        for t in pollers:
            t.start()
        # Half are approved while the server runs...
        for d in devices[:4]:
            ta.approve(d["user_code"])
        time.sleep(1.2)  # some devices collect their tokens, some are mid-poll
        server.kill()
        assert integrity_check(ta.db) == "ok"
        before_kill = sum(1 for d in devices if d["tokens"])
        # ...the other half while it is down.
        for d in devices[4:]:
            ta.approve(d["user_code"])
        time.sleep(1.5)  # pollers meet the dead server
        server.start()
        for t in pollers:
            t.join(30)
        assert not any(t.is_alive() for t in pollers), [d["errors"] for d in devices]

        got_before = {id(d) for d in devices if d["tokens"]}
        for d in devices:
            assert len(d["tokens"]) <= 1
            if d["tokens"]:
                token = d["tokens"][0]
                assert introspect(server, rs_auth, token["access_token"])["active"] is True
                assert introspect(server, rs_auth, token["refresh_token"])["active"] is True
            else:
                # Only a device whose answer was cut off by the kill may find its
                # code already used; that token was committed but never received.
                assert d["cut_off"] > 0 and d["errors"][-1:] == ["invalid_grant"], d
            # The device code is spent: polling again never yields a second token.
            r = requests.post(server.url("/token"), timeout=10, data={
                "grant_type": DEVICE_GRANT, "device_code": d["device_code"],
                "client_id": device_client["client_id"]})
            assert r.status_code == 400 and r.json()["error"] == "invalid_grant", r.text
        with_token = sum(1 for d in devices if d["tokens"])
        print(f"device: {before_kill} devices had their token before SIGKILL, "
              f"{with_token} of {len(devices)} after restart, each exactly once")
        assert with_token >= len(devices) - 1, "nearly every device must get its token"
    finally:
        finished.set()
        server.stop()
    assert integrity_check(ta.db) == "ok"


def test_refresh_rotations_survive_sigkill(termauth, tmp_path):
    """Many rotating refresh chains, killed mid-rotation. Every access token
    received is active after restart, and each chain's last received refresh
    token still works, unless the kill cut off a rotation the server had
    already committed: then presenting it is reuse, which the audit log says."""
    ta = private_termauth(termauth, tmp_path)
    rs = ta.add_client(unique("rs"), grants=["client_credentials"], introspect=True)
    rs_auth = (rs["client_id"], rs["client_secret"])
    server = ServeProcess(ta, tmp_path / "serve.log").start()
    chains = []
    # One client per chain, so a reuse in the audit log points at its chain.
    for _ in range(LOAD_THREADS):
        c = ta.add_client(unique("app"), grants=["password", "refresh_token"], scopes=["profile"])
        r = requests.post(server.url("/token"), auth=(c["client_id"], c["client_secret"]), timeout=10,
                          data={"grant_type": "password", "username": ALICE,
                                "password": ALICE_PASSWORD, "scope": "profile"})
        assert r.status_code == 200, r.text
        chains.append({"client": c, "access": [r.json()["access_token"]],
                       "refresh": [r.json()["refresh_token"]], "cut_off": False})
    remaining = list(chains)
    unexpected: list[str] = []
    lock = threading.Lock()
    try:
        def worker(session, stop):
            with lock:
                chain = remaining.pop()
            auth = (chain["client"]["client_id"], chain["client"]["client_secret"])
            while not stop.is_set():
                try:
                    r = session.post(server.url("/token"), auth=auth, timeout=10, data={
                        "grant_type": "refresh_token", "refresh_token": chain["refresh"][-1]})
                    body = r.json()
                except (requests.RequestException, ValueError):
                    chain["cut_off"] = True
                    return
                if r.status_code != 200:
                    unexpected.append(f"{r.status_code}: {r.text[:300]}")
                    return
                chain["access"].append(body["access_token"])
                chain["refresh"].append(body["refresh_token"])

        run_until_killed(server, worker)
        assert not unexpected, unexpected[:3]
        assert integrity_check(ta.db) == "ok"
        server.start()

        access = [t for c in chains for t in c["access"]]
        lost = check_all_active(server, rs_auth, access)
        assert not lost, f"{len(lost)} of {len(access)} received access tokens were lost"

        reused_clients = set()
        usable = 0
        for c in chains:
            auth = (c["client"]["client_id"], c["client"]["client_secret"])
            last = c["refresh"][-1]
            if introspect(server, rs_auth, last)["active"]:
                r = requests.post(server.url("/token"), auth=auth, timeout=10,
                                  data={"grant_type": "refresh_token", "refresh_token": last})
                assert r.status_code == 200, f"active refresh token refused: {r.text}"
                usable += 1
            else:
                # Inactive is only acceptable if the server rotated it in a
                # response the kill cut off: presenting it now must be caught
                # as reuse (a token the server never stored would not be).
                assert c["cut_off"], "refresh token lost although no request was in flight"
                r = requests.post(server.url("/token"), auth=auth, timeout=10,
                                  data={"grant_type": "refresh_token", "refresh_token": last})
                assert r.status_code == 400 and r.json()["error"] == "invalid_grant", r.text
                reused_clients.add(c["client"]["client_id"])
        if reused_clients:
            audit = ta.json("audit", "--json", "--limit", "1000")
            caught = {e.get("client_id") for e in audit if e.get("kind") == "refresh.reused"}
            assert reused_clients <= caught, (
                f"refresh tokens lost (not even known as rotated): {reused_clients - caught}")
        rotations = sum(len(c["refresh"]) - 1 for c in chains)
        print(f"refresh: {rotations} rotations and {len(access)} access tokens received before "
              f"SIGKILL, 0 lost; last refresh token usable in {usable} of {len(chains)} chains, "
              f"{len(reused_clients)} rotated by a cut-off response")
        assert rotations > 50, f"load too light to mean anything: {rotations} rotations"
    finally:
        server.stop()
    assert integrity_check(ta.db) == "ok"
