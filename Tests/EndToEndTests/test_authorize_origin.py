"""`termauth authorize URL` (the terminal as user agent) only takes URLs of this
server (issue 15): a URL whose origin is not the configured issuer is refused
before anything is parked or drawn, and the `iss` the client gets back is the
configured issuer, never one read from the pasted URL.
"""

from __future__ import annotations

import dataclasses
import re
from urllib.parse import urlsplit

import pytest
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session

from conftest import Loopback, TermAuth, unique
from hardening_helpers import instance, run_detached, serve
from tmux_driver import TmuxSession

REGISTERED_REDIRECT = "http://127.0.0.1/callback"
ENV = {"LANG": "C.UTF-8", "TERM": "xterm-256color"}
ANOTHER_SERVER = r"another server|not this server|other server|different server"


@dataclasses.dataclass
class Setup:
    ta: TermAuth
    server: object        # server_process.ServeProcess
    issuer: str
    client: dict


@pytest.fixture(scope="module")
def setup(termauth, tmp_path_factory):
    directory = tmp_path_factory.mktemp("authorize-origin")
    ta = instance(termauth, directory)
    client = ta.add_client(unique("origin-app"), redirect_uris=[REGISTERED_REDIRECT],
                           grants=["authorization_code"], scopes=["profile"])
    with serve(ta, directory) as server:
        issuer = server.base_url
        assert issuer.startswith("http://127.0.0.1:"), issuer
        # The issuer is a top-level key: it goes before the first table.
        ta.config.write_text(f'issuer = "{issuer}"\n' + ta.config.read_text())
        yield Setup(ta=ta, server=server, issuer=issuer, client=client)


def authorization_url(base: str, client: dict, redirect_uri: str):
    """A well-formed request for a real client: only the origin decides its fate."""
    session = OAuth2Session(client["client_id"], client["client_secret"], scope="profile",
                            redirect_uri=redirect_uri, code_challenge_method="S256")
    verifier = generate_token(48)
    url, state = session.create_authorization_url(base + "/authorize", code_verifier=verifier,
                                                  state=generate_token(24))
    return url, state


def _matches(pattern: str, text: str) -> bool:
    return re.search(pattern, text, re.IGNORECASE) is not None


def parked(ta: TermAuth) -> list:
    return sorted(r.get("approval_code") for r in ta.list_requests())


def foreign_bases(issuer: str) -> dict[str, str]:
    port = urlsplit(issuer).port
    return {
        "other-host": "http://evil.example",
        "other-port": f"http://127.0.0.1:{port + 1 if port < 65535 else port - 1}",
        "other-scheme": f"https://127.0.0.1:{port}",
        "other-name-same-address": f"http://localhost:{port}",
        "userinfo-trick": f"http://127.0.0.1:{port}@evil.example",
        "other-path": f"{issuer}/elsewhere",
    }


@pytest.mark.parametrize("kind", ["other-host", "other-port", "other-scheme",
                                  "other-name-same-address", "userinfo-trick", "other-path"])
def test_url_for_another_origin_is_refused_and_parks_nothing(setup, kind):
    base = foreign_bases(setup.issuer)[kind]
    url, _ = authorization_url(base, setup.client, "http://127.0.0.1:9/callback")
    before = parked(setup.ta)
    # No terminal at all (new session, stdin /dev/null): a refused URL must fail
    # before the UI is drawn; were it accepted, the request would be parked first.
    proc = run_detached(setup.ta, "authorize", url, timeout=30)
    detail = f"exit {proc.returncode}\nstdout:\n{proc.stdout!r}\nstderr:\n{proc.stderr!r}"
    assert proc.returncode != 0, f"{kind}: authorize accepted {url}: {detail}"
    assert _matches(ANOTHER_SERVER, proc.stderr), \
        f"{kind}: stderr does not say the URL is for another server: {detail}"
    assert "\x1b[" not in proc.stdout, f"{kind}: the terminal UI was drawn: {detail}"
    assert parked(setup.ta) == before, f"{kind}: a request was parked for a refused URL"


def test_refusal_names_the_foreign_origin_and_this_server(setup):
    url, _ = authorization_url("http://evil.example", setup.client, "http://127.0.0.1:9/callback")
    proc = run_detached(setup.ta, "authorize", url, timeout=30)
    assert proc.returncode != 0, proc.stderr
    assert "evil.example" in proc.stderr and setup.issuer in proc.stderr, proc.stderr


def test_issuer_option_is_checked_too(setup):
    # Without `issuer` in the settings file, --issuer says who this server is.
    bare = dataclasses.replace(setup.ta, config=setup.ta.config.with_name("bare.toml"))
    bare.config.write_text("".join(line for line in setup.ta.config.read_text().splitlines(True)
                                   if not line.startswith("issuer")))
    url, _ = authorization_url("http://evil.example", setup.client, "http://127.0.0.1:9/callback")
    before = parked(bare)
    proc = run_detached(bare, "authorize", url, "--issuer", setup.issuer, timeout=30)
    assert proc.returncode != 0 and _matches(ANOTHER_SERVER, proc.stderr), proc.stderr
    assert parked(bare) == before


def test_url_of_this_server_passes_and_iss_is_the_configured_issuer(setup):
    ta = setup.ta
    with Loopback("/callback") as loopback:
        url, state = authorization_url(setup.issuer, setup.client, loopback.redirect_uri)
        argv = [str(ta.binary), "authorize", url, "--db", str(ta.db), "--config", str(ta.config)]
        with TmuxSession(argv, env=ENV) as tmux:
            screen = tmux.wait_for("Sign in")
            assert setup.client["client_id"] in screen, screen
            # The origin check let it through: it is parked like any request.
            mine = [r for r in ta.list_requests() if r.get("client_id") == setup.client["client_id"]]
            assert mine, "the accepted URL was not parked"
            tmux.press("Escape")  # cancelling the sign-in denies the request
            code = tmux.exit_code()
            final = tmux.screen()
            assert code == 1, f"exit {code}:\n{final}"
            assert "denied" in final, final
        query = loopback.wait()
    assert query.get("error") == "access_denied", query
    assert query.get("state") == state, query
    assert "code" not in query, query
    # RFC 9207: `iss` is this server's configured issuer.
    assert query.get("iss") == setup.issuer, query
