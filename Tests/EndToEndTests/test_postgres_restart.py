"""PostgreSQL restarted under load: requests fail fast with 503
temporarily_unavailable (never another 5xx, never a hang), the pool reconnects
by itself, and every token whose 200 reached a client is still active.
Needs the run's own cluster (TERMAUTH_TEST_POSTGRES_DIR, set by Tests/run-tests.sh)."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from pathlib import Path

import pytest
import requests

from conftest import REPO, unique
from server_process import ServeProcess, introspect
from test_replicas import postgres_termauth

CLUSTER = os.environ.get("TERMAUTH_TEST_POSTGRES_DIR", "")
pytestmark = pytest.mark.skipif(not CLUSTER, reason="needs the test run's own PostgreSQL cluster (TERMAUTH_TEST_POSTGRES_DIR)")


def test_restart_mid_load_fails_fast_recovers_and_loses_nothing(termauth, tmp_path):
    ta = postgres_termauth(termauth, tmp_path, "restart")
    with ServeProcess(ta, tmp_path / "serve.log") as server:
        job = ta.add_client(unique("job"), grants=["client_credentials"], scopes=["profile"], introspect=True)
        auth = (job["client_id"], job["client_secret"])
        results: list[tuple[float, float, int, str]] = []  # (start, seconds, status, token or error)
        lock = threading.Lock()
        stop = threading.Event()

        def worker():
            with requests.Session() as s:
                while not stop.is_set():
                    t0 = time.monotonic()
                    try:
                        r = s.post(server.url("/token"), data={"grant_type": "client_credentials"}, auth=auth, timeout=30)
                        body = r.json()
                        what = body.get("access_token") if r.status_code == 200 else body.get("error", "?")
                        if r.status_code == 503:
                            assert r.headers.get("Retry-After") == "1"
                            time.sleep(0.05)
                        status = r.status_code
                    except requests.RequestException as exc:
                        status, what = -1, repr(exc)
                    with lock:
                        results.append((t0, time.monotonic() - t0, status, what))

        threads = [threading.Thread(target=worker, daemon=True) for _ in range(8)]
        for t in threads:
            t.start()
        time.sleep(1.5)
        restart_began = time.monotonic()
        subprocess.run(["bash", str(REPO / "Tests/postgres.sh"), "restart", CLUSTER], check=True, timeout=120)
        restarted = time.monotonic()
        time.sleep(3.0)
        stop.set()
        for t in threads:
            t.join(60)

        statuses = {status for _, _, status, _ in results}
        odd = [r for r in results if r[2] not in (200, 503)]
        assert not odd, f"unexpected answers: {len(odd)}, e.g. {odd[:3]}"
        refused = [r for r in results if r[2] == 503]
        assert all(r[3] == "temporarily_unavailable" for r in refused)
        slowest = max(seconds for _, seconds, _, _ in results)
        assert slowest < 8.0, f"a request took {slowest:.1f} s: not failing fast"
        after = [r for r in results if r[2] == 200 and r[0] > restarted]
        assert after, "no token was issued after PostgreSQL came back"
        issued = [r[3] for r in results if r[2] == 200]
        before = sum(1 for r in results if r[2] == 200 and r[0] < restart_began)
        inactive = [t for t in issued if not introspect(server, auth, t)["active"]]
        assert not inactive, f"{len(inactive)} of {len(issued)} acknowledged tokens are gone"
        first_ok_after = min(r[0] + r[1] for r in after) - restarted
        print(f"restart took {restarted - restart_began:.2f} s; {before} tokens before, {len(refused)} x 503 during, "
              f"{len(after)} after; first 200 {first_ok_after:.2f} s after the restart finished; slowest request "
              f"{slowest:.2f} s; all {len(issued)} acknowledged tokens active")
