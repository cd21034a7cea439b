"""Races on single-use things: one authorization code, one refresh token, one
parked request, each hit by many at once. Exactly one may win, and the
losers' attempts must leave the system safer, not inconsistent.

All three run against one private server (server_process.py), so the
shared session server's log stays readable.
"""

from __future__ import annotations

import subprocess
import threading

import pytest
import requests

from conftest import ALICE_PASSWORD, BackgroundGet, unique
from server_process import (ServeProcess, authorization_code, introspect, pkce_pair,
                            private_termauth)


@pytest.fixture(scope="module")
def private(termauth, tmp_path_factory):
    directory = tmp_path_factory.mktemp("races")
    ta = private_termauth(termauth, directory)
    with ServeProcess(ta, directory / "serve.log") as server:
        rs = ta.add_client(unique("rs"), grants=["client_credentials"], introspect=True)
        yield ta, server, (rs["client_id"], rs["client_secret"])


def all_at_once(n: int, server: ServeProcess, send, timeout: float = 60) -> list:
    """Runs send(session) in n threads released together by a barrier. Each
    session has already connected (GET /healthz), so connection set-up does
    not spread the requests out."""
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(i):
        with requests.Session() as session:
            session.get(server.url("/healthz"), timeout=10)
            barrier.wait(30)
            try:
                results[i] = send(session)
            except requests.RequestException as exc:
                results[i] = exc

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    return results


def outcomes(results: list) -> tuple[list, list]:
    """(the 200 responses, the error codes of everything else)."""
    wins = [r for r in results if isinstance(r, requests.Response) and r.status_code == 200]
    errors = []
    for r in results:
        if isinstance(r, requests.Response):
            if r.status_code != 200:
                errors.append((r.status_code, r.json().get("error")))
        else:
            errors.append(("exception", repr(r)))
    return wins, errors


def code_client(ta):
    return ta.add_client(unique("app"), redirect_uris=["http://127.0.0.1/cb"], scopes=["profile"])


def test_one_code_redeemed_fifty_times_at_once(private):
    ta, server, rs_auth = private
    client = code_client(ta)
    got = authorization_code(server, ta, client, "http://127.0.0.1:9/cb")
    auth = (client["client_id"], client["client_secret"])
    form = {"grant_type": "authorization_code", "code": got["code"],
            "redirect_uri": got["redirect_uri"], "code_verifier": got["verifier"]}

    results = all_at_once(50, server, lambda s: s.post(server.url("/token"), data=form,
                                                       auth=auth, timeout=30))
    wins, errors = outcomes(results)
    assert len(wins) == 1, f"{len(wins)} redemptions succeeded; others: {errors[:5]}"
    assert errors == [(400, "invalid_grant")] * 49, errors
    # RFC 6749 §4.1.2: a code used twice should revoke what it was exchanged for.
    token = wins[0].json()
    assert introspect(server, rs_auth, token["access_token"]) == {"active": False}
    assert introspect(server, rs_auth, token["refresh_token"]) == {"active": False}
    audit = ta.json("audit", "--json", "--limit", "200")
    assert any(e["kind"] == "code.reused" and e.get("client_id") == client["client_id"]
               for e in audit)


def test_one_refresh_token_used_twenty_times_at_once(private):
    ta, server, rs_auth = private
    client = code_client(ta)
    auth = (client["client_id"], client["client_secret"])
    got = authorization_code(server, ta, client, "http://127.0.0.1:9/cb")
    r = requests.post(server.url("/token"), auth=auth, timeout=30, data={
        "grant_type": "authorization_code", "code": got["code"],
        "redirect_uri": got["redirect_uri"], "code_verifier": got["verifier"]})
    assert r.status_code == 200, r.text
    first = r.json()
    form = {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}

    results = all_at_once(20, server, lambda s: s.post(server.url("/token"), data=form,
                                                       auth=auth, timeout=30))
    wins, errors = outcomes(results)
    assert len(wins) == 1, f"{len(wins)} rotations succeeded; others: {errors[:5]}"
    assert errors == [(400, "invalid_grant")] * 19, errors
    # The 19 replays are reuse of a rotated token: the whole family goes,
    # including the pair the winner just received and the original access token.
    new = wins[0].json()
    for token in (new["access_token"], new["refresh_token"], first["access_token"]):
        assert introspect(server, rs_auth, token) == {"active": False}
    r = requests.post(server.url("/token"), auth=auth, timeout=30,
                      data={"grant_type": "refresh_token", "refresh_token": new["refresh_token"]})
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant", r.text


@pytest.mark.parametrize("first,second", [("approve", "approve"), ("approve", "deny"),
                                          ("deny", "approve")])
def test_two_people_decide_one_request_at_once(private, first, second):
    ta, server, _ = private
    client = code_client(ta)
    _, challenge = pkce_pair()
    agent = BackgroundGet(
        server.url("/authorize?response_type=code&scope=profile&state=s1"
                   f"&client_id={client['client_id']}&redirect_uri=http://127.0.0.1:9/cb"
                   f"&code_challenge={challenge}&code_challenge_method=S256"),
        allow_redirects=False).start()
    code = ta.wait_for_approval_code(client["client_id"], stop_if=agent.early_answer)

    def argv(decision):
        extra = ["--deny"] if decision == "deny" else ["--yes"]
        return [str(ta.binary), "approve", code, "--user", "alice", "--password-stdin", *extra,
                "--db", str(ta.db), "--config", str(ta.config)]

    # Both processes start before either is fed its password, so they race
    # from sign-in onwards rather than one finishing before the other starts.
    procs = [subprocess.Popen(argv(d), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=ta.env)
             for d in (first, second)]
    outs = [None, None]

    def feed(i):
        outs[i] = procs[i].communicate(ALICE_PASSWORD + "\n", timeout=60)

    feeders = [threading.Thread(target=feed, args=(i,)) for i in range(2)]
    for t in feeders:
        t.start()
    for t in feeders:
        t.join()

    codes = [p.returncode for p in procs]
    assert sorted(codes) == [0, 1], f"exit codes {codes}; outputs {outs}"
    winner = codes.index(0)
    loser = 1 - winner
    stderr = outs[loser][1]
    assert "termauth: error: " in stderr and "already decided" in stderr, stderr
    decision = (first, second)[winner]
    assert outs[winner][0].startswith("approved" if decision == "approve" else "denied"), outs

    # The waiting client gets exactly one answer, and it is the winner's.
    answer = agent.join()
    assert answer.status_code == 302, answer.text
    location = answer.headers["Location"]
    if decision == "approve":
        assert "code=" in location and "error=" not in location, location
    else:
        assert "error=access_denied" in location and "code=" not in location, location
    # Nothing is left to decide.
    again = ta.approve(code, check=False)
    assert again.returncode == 1 and "termauth: error: " in again.stderr
    assert all(e["approval_code"] != code for e in ta.list_requests())
