"""Bounds on what an unauthenticated caller can make the server hold (issue 15).

Parked requests per client, per source address and in all; GET /authorize
long polls in all and per source address; password hashes waiting for a
thread; `state` and `nonce` at most 1 KiB. A bound exceeded is answered 503
with Retry-After (JSON temporarily_unavailable for non-browser agents), and a
refused /authorize stores nothing (`termauth requests list` does not grow).

Each test runs its own server with small [limits] in its settings file.
Source addresses other than 127.0.0.1 come from binding the client socket to
127.0.0.2, 127.0.0.3, ... (all loopback on Linux).
"""

from __future__ import annotations

import socket
import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from conftest import unique
from test_races import all_at_once
from hardening_helpers import (agent_authorize, assert_503, authorize_url, browser_authorize,
                               count_requests, instance, serve, session_from, wait_count)

REDIRECT = "http://127.0.0.1/callback"      # registered (loopback: any port)
USED = "http://127.0.0.1:5000/callback"     # what the requests send


def web_client(ta, name="web") -> dict:
    return ta.add_client(unique(name), public=True, scopes=["profile"], redirect_uris=[REDIRECT])


def parks(server, client, source="127.0.0.1", **extra) -> None:
    r = browser_authorize(server, client, USED, source_ip=source, **extra)
    assert r.status_code == 200, \
        f"/authorize from {source} within the bounds: {r.status_code} {r.text[:300]}"


def refused(server, ta, client, source="127.0.0.1", what="") -> None:
    """Both kinds of user agent are refused with 503 and nothing is stored."""
    before = count_requests(ta)
    r = browser_authorize(server, client, USED, source_ip=source)
    assert_503(r.status_code, r.headers, r.text, json_body=False, what=f"{what} (browser)")
    resp = agent_authorize(server, client, USED, source_ip=source, timeout=5)
    assert resp is not None, f"{what} (agent): the server parked the request and held it open"
    assert_503(resp.status, resp.headers, resp.body, what=f"{what} (agent)")
    time.sleep(0.3)
    assert count_requests(ta) == before, f"{what}: a refused request was stored"


# --------------------------------------------------------------------------
# parked requests


def test_parked_requests_per_client_are_bounded(termauth, tmp_path):
    ta = instance(termauth, tmp_path, extra="""
[limits]
parked_per_client = 3
parked_per_source = 1000
parked_total = 1000
""")
    a, b = web_client(ta, "a"), web_client(ta, "b")
    with serve(ta, tmp_path) as server:
        for _ in range(3):
            parks(server, a)
        assert count_requests(ta, a["client_id"]) == 3
        refused(server, ta, a, what="4th request for one client (limit 3)")
        assert count_requests(ta, a["client_id"]) == 3
        # Another client is not affected: the bound is per client.
        parks(server, b)
        assert count_requests(ta, b["client_id"]) == 1


def test_parked_requests_per_source_are_bounded(termauth, tmp_path):
    ta = instance(termauth, tmp_path, extra="""
[limits]
parked_per_client = 1000
parked_per_source = 3
parked_total = 1000
""")
    a, b, c = web_client(ta, "a"), web_client(ta, "b"), web_client(ta, "c")
    with serve(ta, tmp_path) as server:
        parks(server, a)
        parks(server, a)
        parks(server, b)
        refused(server, ta, c, what="4th request from one address over three clients (limit 3)")
        assert count_requests(ta, c["client_id"]) == 0
        # Another address is not affected: the bound is per source.
        parks(server, c, source="127.0.0.2")
        assert count_requests(ta, c["client_id"]) == 1
        origins = sorted(r["origin"] for r in ta.list_requests())
        assert origins.count("127.0.0.2") == 1, origins


def test_parked_requests_in_all_are_bounded(termauth, tmp_path):
    ta = instance(termauth, tmp_path, extra="""
[limits]
parked_per_client = 1000
parked_per_source = 1000
parked_total = 3
""")
    clients = [web_client(ta, f"c{i}") for i in range(4)]
    with serve(ta, tmp_path) as server:
        for i in range(3):
            parks(server, clients[i], source=f"127.0.0.{i + 1}")
        assert count_requests(ta) == 3
        refused(server, ta, clients[3], source="127.0.0.4",
                what="4th request in all, new client, new address (limit 3)")
        assert count_requests(ta) == 3


# --------------------------------------------------------------------------
# long polls


def hold(server, client, source="127.0.0.1", post=False) -> socket.socket:
    """Starts a long poll (non-browser GET, or POST with a form body, /authorize) from `source`."""
    parts = urlsplit(authorize_url(server, client, USED))
    sock = socket.create_connection((parts.hostname, parts.port), timeout=10,
                                    source_address=(source, 0))
    if post:
        sock.sendall(f"POST {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
                     f"Accept: application/json\r\nUser-Agent: bounds-test\r\n"
                     f"Content-Type: application/x-www-form-urlencoded\r\n"
                     f"Content-Length: {len(parts.query)}\r\n\r\n{parts.query}".encode())
    else:
        sock.sendall(f"GET {parts.path}?{parts.query} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
                     f"Accept: application/json\r\nUser-Agent: bounds-test\r\n\r\n".encode())
    return sock


def place_freed(server, client, source: str, seconds: float = 5) -> bool:
    """Whether a long poll from `source` is held (a place is free) within `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if agent_authorize(server, client, USED, source_ip=source, timeout=1.0) is None:
            return True
        time.sleep(0.2)
    return False


def still_held(sock: socket.socket, seconds: float = 0.5) -> bool:
    sock.settimeout(seconds)
    try:
        data = sock.recv(1)
    except (TimeoutError, socket.timeout):
        return True
    finally:
        sock.settimeout(10)
    return False  # answered or closed


@pytest.mark.parametrize("scope", ["per_source", "total"])
def test_long_polls_are_bounded(termauth, tmp_path, scope):
    limits = ("long_polls = 1000\nlong_polls_per_source = 2" if scope == "per_source"
              else "long_polls = 2\nlong_polls_per_source = 1000")
    ta = instance(termauth, tmp_path, extra=f"""
[limits]
parked_per_client = 1000
parked_per_source = 1000
parked_total = 1000
{limits}
""")
    client = web_client(ta)
    sources = ["127.0.0.1", "127.0.0.1"] if scope == "per_source" else ["127.0.0.1", "127.0.0.2"]
    socks = []
    with serve(ta, tmp_path) as server:
        try:
            for source in sources:
                socks.append(hold(server, client, source))
            assert wait_count(ta, 2) == 2, "the two long polls were not parked"
            for s in socks:
                assert still_held(s), "a long poll within the bound was answered"

            over = "127.0.0.1" if scope == "per_source" else "127.0.0.3"
            resp = agent_authorize(server, client, USED, source_ip=over, timeout=5)
            assert resp is not None, \
                f"a 3rd long poll from {over} ({scope} limit 2) was held open"
            assert_503(resp.status, resp.headers, resp.body, what=f"3rd long poll ({scope})")
            time.sleep(0.3)
            assert count_requests(ta) == 2, "the refused long poll's request was stored"

            # A browser is not held, so it is not bound by the long-poll limit.
            r = browser_authorize(server, client, USED, source_ip=over)
            assert r.status_code == 200, f"browser request: {r.status_code} {r.text[:200]}"
            assert count_requests(ta) == 3

            if scope == "per_source":
                # Another address still gets its long poll.
                socks.append(hold(server, client, "127.0.0.2"))
                assert wait_count(ta, 4) == 4, "a long poll from 127.0.0.2 was not parked"
                assert still_held(socks[-1]), "the long poll from 127.0.0.2 was answered"
            else:
                # A finished long poll frees its place.
                socks.pop(0).close()
                assert place_freed(server, client, "127.0.0.3"), "a place freed by a closed long poll was never reused"
        finally:
            for s in socks:
                s.close()


def test_a_held_post_authorize_frees_its_place_when_the_caller_hangs_up(termauth, tmp_path):
    """POST /authorize (OpenID Connect Core §3.1.2.1) is held like a GET, and a caller that
    hangs up gives its place back: a flood of abandoned POSTs cannot fill `long_polls`."""
    ta = instance(termauth, tmp_path, extra="""
[limits]
parked_per_client = 1000
parked_per_source = 1000
parked_total = 1000
long_polls = 1
long_polls_per_source = 1000
""")
    client = web_client(ta)
    with serve(ta, tmp_path) as server:
        first = hold(server, client, "127.0.0.1", post=True)
        try:
            assert wait_count(ta, 1) == 1, "the POST long poll was not parked"
            assert still_held(first), "a POST long poll within the bound was answered"
            resp = agent_authorize(server, client, USED, source_ip="127.0.0.2", timeout=5)
            assert resp is not None, "a second long poll past long_polls = 1 was held open"
            assert_503(resp.status, resp.headers, resp.body, what="long poll past a held POST")
        finally:
            first.close()
        assert place_freed(server, client, "127.0.0.3"), "the place of a POST whose caller hung up was never freed"


# --------------------------------------------------------------------------
# state and nonce


@pytest.mark.parametrize("name", ["state", "nonce"])
def test_state_and_nonce_are_at_most_1_kib(termauth, tmp_path, name):
    ta = instance(termauth, tmp_path)
    client = ta.add_client(unique("app"), redirect_uris=["https://app.example/cb"], scopes=["profile"])
    with serve(ta, tmp_path) as server:
        ok = browser_authorize(server, client, "https://app.example/cb", **{name: "s" * 1024})
        assert ok.status_code == 200, f"{name} of 1024 bytes: {ok.status_code} {ok.text[:300]}"
        assert wait_count(ta, 1) == 1

        for size in (1025, 4000):
            r = browser_authorize(server, client, "https://app.example/cb", **{name: "s" * size})
            assert r.status_code in (302, 303), \
                f"{name} of {size} bytes: {r.status_code} {r.text[:300]}"
            location = r.headers["Location"]
            assert location.startswith("https://app.example/cb?"), location
            query = parse_qs(urlsplit(location).query)
            assert query.get("error") == ["invalid_request"], location
            assert "code" not in query, location
        # The same for a non-browser agent, which would otherwise be held.
        resp = agent_authorize(server, client, "https://app.example/cb", timeout=5, **{name: "é" * 600})
        assert resp is not None, f"{name} of 1200 bytes (600 characters) was parked and held"
        assert resp.status in (302, 303), resp.status
        assert "error=invalid_request" in resp.headers["Location"], resp.headers["Location"]
        time.sleep(0.3)
        assert count_requests(ta) == 1, f"an oversize {name} was stored"


# --------------------------------------------------------------------------
# the password hash queue


HASH_ROUNDS = 200_000


def test_password_hashes_waiting_beyond_the_queue_get_503(termauth, tmp_path):
    user, password = "erin", "erin's real password"
    # Real hashing cost (timing matters here): every sign-in keeps the one
    # hashing thread busy long enough for the other requests to queue. The
    # failure limits are high so that attempts in flight, which count against
    # them until they succeed, do not turn any away before the queue does.
    ta = instance(termauth, tmp_path, users=(), security=f"""
max_failed_logins = 100
max_failed_logins_per_source = 1000
password_hash_threads = 1
password_hash_queue = 1
""")
    ta.config.write_text(ta.config.read_text().replace(
        "password_hash_rounds = 1000", f"password_hash_rounds = {HASH_ROUNDS}"))
    started = time.monotonic()
    ta.add_user(user, password)
    print(f"\nuser add with {HASH_ROUNDS} rounds took {time.monotonic() - started:.2f} s")
    client = ta.add_client(unique("legacy"), grants=["password"], scopes=["profile"])
    n = 12
    with serve(ta, tmp_path) as server:
        results = all_at_once(n, server, lambda s: s.post(
            server.url("/token"), timeout=120, auth=(client["client_id"], client["client_secret"]),
            data={"grant_type": "password", "username": user, "password": password}), timeout=180)
        statuses = [r.status_code if isinstance(r, requests.Response) else repr(r) for r in results]
        print(f"{n} sign-ins at once, 1 hashing thread, queue 1: {sorted(map(str, statuses))}")
        assert set(statuses) <= {200, 503}, statuses
        assert statuses.count(200) >= 1, statuses
        busy = [r for r in results if isinstance(r, requests.Response) and r.status_code == 503]
        assert len(busy) >= n // 2, f"only {len(busy)} of {n} were turned away (1 thread, queue 1)"
        for r in busy:
            assert_503(r.status_code, r.headers, r.text, what="sign-in beyond the hash queue")
        # Turned away is not a failed sign-in: the user is not locked, no failure recorded.
        users = {u["username"]: u for u in ta.json("user", "list", "--json")}
        assert users[user]["locked"] is False
        r = requests.post(server.url("/token"), timeout=60, auth=(client["client_id"], client["client_secret"]),
                          data={"grant_type": "password", "username": user, "password": password})
        assert r.status_code == 200, r.text
