"""`termauth serve --tls-cert PEM --tls-key PEM` (issue 15): HTTPS only, every URL
the server announces is https, and a wrong certificate or key is named at start.

A throw-away CA and a server certificate for 127.0.0.1 are made with the
`openssl` command line; clients trust only that CA (verify=CA file), so a test
passes only if the server really presents the configured certificate.
"""

from __future__ import annotations

import dataclasses
import re
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session

from conftest import (ALICE, SERVER_START_TIMEOUT, BackgroundGet, Loopback, TermAuth,
                      _read_first_line, unique)
from hardening_helpers import instance
from server_process import ServeProcess

REGISTERED_REDIRECT = "http://127.0.0.1/callback"
LISTENING = re.compile(r"^listening on (https://127\.0\.0\.1:(\d+))$")
# A refused start must not take long: the files are checked before anything listens.
START_FAILURE_SECONDS = 20.0


# --------------------------------------------------------------------------
# A throw-away PKI made with openssl


@dataclasses.dataclass
class PKI:
    directory: Path
    ca: Path            # CA certificate (what clients trust)
    cert: Path          # server certificate, SAN IP:127.0.0.1, signed by the CA
    key: Path           # its private key
    other_key: Path     # a second key that belongs to no certificate
    junk: Path          # a text file that is not PEM
    der_key: Path       # `key` in DER, not PEM
    expired: Path       # a certificate for `key` that expired in 2020


def _openssl(*args: str, cwd: Path) -> None:
    proc = subprocess.run(["openssl", *args], cwd=cwd, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, f"openssl {' '.join(args)} failed:\n{proc.stderr}"


@pytest.fixture(scope="module")
def pki(tmp_path_factory) -> PKI:
    d = tmp_path_factory.mktemp("pki")
    ec = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes")
    _openssl("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
             "-subj", "/CN=TermAuth throw-away test CA",
             "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=d)
    _openssl("req", "-new", *ec, "-keyout", "server.key", "-out", "server.csr",
             "-subj", "/CN=127.0.0.1", cwd=d)
    (d / "server.ext").write_text(
        "basicConstraints=critical,CA:FALSE\n"
        "keyUsage=critical,digitalSignature,keyEncipherment\n"
        "extendedKeyUsage=serverAuth\n"
        "subjectAltName=IP:127.0.0.1\n"
        "subjectKeyIdentifier=hash\n"
        "authorityKeyIdentifier=keyid,issuer\n")
    _openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
             "-CAcreateserial", "-days", "2", "-extfile", "server.ext", "-out", "server.pem", cwd=d)
    _openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:prime256v1",
             "-out", "other.key", cwd=d)
    _openssl("pkey", "-in", "server.key", "-outform", "DER", "-out", "server.der", cwd=d)
    (d / "junk.txt").write_text("this is not a certificate, just some text\n")

    # An expired certificate needs explicit dates, which only `openssl ca` takes (OpenSSL 3.0).
    (d / "ca").mkdir()
    (d / "ca" / "index.txt").write_text("")
    (d / "ca" / "serial").write_text("1000\n")
    (d / "ca.cnf").write_text(
        "[ca]\ndefault_ca = test_ca\n"
        "[test_ca]\ndir = ca\ndatabase = ca/index.txt\nserial = ca/serial\nnew_certs_dir = ca\n"
        "certificate = ca.pem\nprivate_key = ca.key\ndefault_md = sha256\npolicy = any\n"
        "x509_extensions = server_ext\nunique_subject = no\n"
        "[any]\ncommonName = supplied\n"
        "[server_ext]\nbasicConstraints = critical,CA:FALSE\nsubjectAltName = IP:127.0.0.1\n")
    _openssl("ca", "-batch", "-config", "ca.cnf", "-startdate", "20200101000000Z",
             "-enddate", "20200102000000Z", "-in", "server.csr", "-out", "expired.pem", cwd=d)
    return PKI(directory=d, ca=d / "ca.pem", cert=d / "server.pem", key=d / "server.key",
               other_key=d / "other.key", junk=d / "junk.txt", der_key=d / "server.der",
               expired=d / "expired.pem")


# --------------------------------------------------------------------------
# A TLS `termauth serve` (ServeProcess expects `listening on http://`)


class TLSServe(ServeProcess):
    """ServeProcess over https: its own start (the first line and /healthz are https),
    the same stop."""

    def __init__(self, ta: TermAuth, log_path: Path, ca: Path, *extra: str):
        super().__init__(ta, log_path)
        self.ta = ta
        self.ca = str(ca)
        self.extra = extra
        self.first_line: str | None = None
        self.port = 0

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-3000:] if self.log_path.exists() else ""

    def start(self) -> "TLSServe":
        t = self.ta
        argv = [str(t.binary), "serve", "--db", str(t.db), "--config", str(t.config),
                "--host", "127.0.0.1", "--port", "0", *self.extra]
        with open(self.log_path, "a") as log:
            self.process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=log,
                                            stdin=subprocess.DEVNULL, text=True, env=t.env)
        first = _read_first_line(self.process.stdout, SERVER_START_TIMEOUT)
        self.first_line = (first or "").rstrip("\n")
        match = LISTENING.match(self.first_line)
        if not match:
            self.stop()
            raise AssertionError(
                f"first stdout line is {first!r}, want `listening on https://127.0.0.1:PORT` "
                f"(exit code {self.process.poll()}):\n{self.log()}")
        self.base_url, self.port = match.group(1), int(match.group(2))
        deadline = time.monotonic() + 15
        last: object = None
        while time.monotonic() < deadline:
            try:
                last = requests.get(self.url("/healthz"), timeout=2, verify=self.ca)
                if last.status_code == 200:
                    return self
            except requests.RequestException as exc:
                last = exc
            time.sleep(0.05)
        self.stop()
        raise AssertionError(f"https /healthz never answered 200 (last: {last!r}):\n{self.log()}")


@pytest.fixture(scope="module")
def tls_ta(termauth, tmp_path_factory) -> TermAuth:
    return instance(termauth, tmp_path_factory.mktemp("tls-instance"))


@pytest.fixture(scope="module")
def tls_server(tls_ta, pki):
    srv = TLSServe(tls_ta, tls_ta.db.parent / "serve.log", pki.ca,
                   "--tls-cert", str(pki.cert), "--tls-key", str(pki.key)).start()
    try:
        yield srv
    finally:
        srv.stop()


def refused_start(ta: TermAuth, *args: str) -> subprocess.CompletedProcess:
    """`serve` that must refuse to start, and soon (it fails the test if still running)."""
    argv = [str(ta.binary), "serve", "--db", str(ta.db), "--config", str(ta.config),
            "--host", "127.0.0.1", "--port", "0", *args]
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, env=ta.env,
                              stdin=subprocess.DEVNULL, timeout=START_FAILURE_SECONDS)
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"`serve {' '.join(args)}` still running after {START_FAILURE_SECONDS:.0f} s "
                    f"(it should have refused the TLS files); stdout: {exc.stdout!r}")
    return proc


def assert_refused(proc: subprocess.CompletedProcess, path: Path | str, problem: str) -> None:
    detail = f"exit {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    assert proc.returncode != 0, f"serve started with a bad TLS file: {detail}"
    assert "listening on" not in proc.stdout, detail
    assert str(path) in proc.stderr, f"stderr does not name {path}: {detail}"
    assert re.search(problem, proc.stderr, re.IGNORECASE), \
        f"stderr does not say /{problem}/: {detail}"


# --------------------------------------------------------------------------
# Serving HTTPS


def test_first_line_is_https_and_certificate_is_the_configured_one(tls_server, pki):
    assert LISTENING.match(tls_server.first_line), tls_server.first_line
    # The handshake verified against our throw-away CA only (the default trust
    # store would reject it), so the server presents the configured chain.
    r = requests.get(tls_server.url("/healthz"), timeout=10, verify=str(pki.ca))
    assert r.status_code == 200
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(tls_server.url("/healthz"), timeout=10, verify=True)


def test_metadata_issuer_and_every_endpoint_are_https(tls_server, pki):
    r = requests.get(tls_server.url("/.well-known/oauth-authorization-server"), timeout=10,
                     verify=str(pki.ca))
    assert r.status_code == 200, r.text
    md = r.json()
    assert md["issuer"] == tls_server.base_url, md
    endpoints = {k: v for k, v in md.items() if k.endswith("_endpoint")}
    for required in ("authorization_endpoint", "token_endpoint"):
        assert required in endpoints, md
    for name, value in {"issuer": md["issuer"], **endpoints}.items():
        assert isinstance(value, str) and value.startswith("https://"), \
            f"{name} = {value!r} is not https"
        assert value == tls_server.base_url or value.startswith(tls_server.base_url + "/"), \
            f"{name} = {value!r} is not on {tls_server.base_url}"


def test_device_authorization_verification_uri_is_https(tls_ta, tls_server, pki):
    client = tls_ta.add_client(unique("tls-tv"), public=True,
                               grants=["urn:ietf:params:oauth:grant-type:device_code"])
    r = requests.post(tls_server.url("/device_authorization"), timeout=10, verify=str(pki.ca),
                      data={"client_id": client["client_id"], "scope": "profile"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["verification_uri"].startswith(tls_server.base_url + "/"), body
    if "verification_uri_complete" in body:
        assert body["verification_uri_complete"].startswith(tls_server.base_url + "/"), body


def test_authorization_code_flow_with_pkce_over_tls(tls_ta, tls_server, pki):
    ca = str(pki.ca)
    client = tls_ta.add_client(unique("tls-app"), redirect_uris=[REGISTERED_REDIRECT],
                               grants=["authorization_code", "refresh_token"], scopes=["profile"])
    with Loopback("/callback") as loopback:
        session = OAuth2Session(client["client_id"], client["client_secret"], scope="profile",
                                redirect_uri=loopback.redirect_uri, code_challenge_method="S256")
        # requests lets REQUESTS_CA_BUNDLE override a session's `verify`, so pass it per call.
        session.verify = ca
        verifier = generate_token(48)
        url, state = session.create_authorization_url(
            tls_server.url("/authorize"), code_verifier=verifier, state=generate_token(24))
        assert url.startswith("https://")
        agent = BackgroundGet(url, verify=ca).start()
        entry = tls_ta.wait_for_request(client["client_id"], stop_if=agent.early_answer)
        assert entry["redirect_uri"] == loopback.redirect_uri
        tls_ta.approve(entry["approval_code"])
        resp = agent.join()
        assert resp.history and resp.history[0].status_code in (302, 303), \
            f"/authorize did not redirect: HTTP {resp.status_code} {resp.text[:300]}"
        assert resp.history[0].url.startswith("https://")
        query = loopback.wait()
        assert query.get("code") and query.get("state") == state, query
        # RFC 9207: the redirect names the https issuer.
        assert query.get("iss") == tls_server.base_url, query

        token = session.fetch_token(tls_server.url("/token"),
                                    authorization_response=loopback.raw_url, state=state,
                                    code_verifier=verifier, verify=ca)
    assert token["access_token"] and token["token_type"].lower() == "bearer", token
    me = session.get(tls_server.url("/resource"), timeout=10, verify=ca)
    session.close()  # an idle keep-alive connection would hold up the server's graceful stop
    assert me.status_code == 200, me.text
    assert me.json()["username"] == ALICE


def test_plain_http_to_the_tls_port_gets_no_http_answer(tls_server, pki):
    with socket.create_connection(("127.0.0.1", tls_server.port), timeout=5) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        received = b""
        try:
            while len(received) < 4096:
                chunk = sock.recv(4096)
                if not chunk:
                    break
                received += chunk
        except (TimeoutError, ConnectionResetError):
            pass
    assert not received.startswith(b"HTTP/"), f"plain HTTP got an HTTP answer: {received[:200]!r}"

    with pytest.raises(requests.RequestException):
        requests.get(f"http://127.0.0.1:{tls_server.port}/.well-known/oauth-authorization-server",
                     timeout=5)
    # The failed plaintext connections did not hurt the server.
    assert requests.get(tls_server.url("/healthz"), timeout=10, verify=str(pki.ca)).status_code == 200


def test_tls_from_the_settings_file(termauth, tmp_path, pki):
    ta = instance(termauth, tmp_path / "inst",
                  extra=f'[server]\ntls_cert = "{pki.cert}"\ntls_key = "{pki.key}"\n')
    srv = TLSServe(ta, tmp_path / "serve.log", pki.ca).start()
    try:
        md = requests.get(srv.url("/.well-known/oauth-authorization-server"), timeout=10,
                          verify=str(pki.ca)).json()
        assert md["issuer"] == srv.base_url and md["token_endpoint"].startswith("https://"), md
    finally:
        srv.stop()


def test_settings_file_tls_cert_without_tls_key_is_refused(termauth, tmp_path, pki):
    ta = instance(termauth, tmp_path / "inst")
    ta.config.write_text(ta.config.read_text() + f'\n[server]\ntls_cert = "{pki.cert}"\n')
    proc = refused_start(ta)
    assert proc.returncode != 0 and "listening on" not in proc.stdout, proc.stderr
    assert "tls_key" in proc.stderr, proc.stderr


# --------------------------------------------------------------------------
# Refused at start


@pytest.fixture
def plain_ta(termauth, tmp_path) -> TermAuth:
    return instance(termauth, tmp_path / "inst")


def test_missing_certificate_file_is_named(plain_ta, pki, tmp_path):
    missing = tmp_path / "no-such-cert.pem"
    proc = refused_start(plain_ta, "--tls-cert", str(missing), "--tls-key", str(pki.key))
    assert_refused(proc, missing, r"not found|no such file|does not exist")


def test_missing_key_file_is_named(plain_ta, pki, tmp_path):
    missing = tmp_path / "no-such-key.pem"
    proc = refused_start(plain_ta, "--tls-cert", str(pki.cert), "--tls-key", str(missing))
    assert_refused(proc, missing, r"not found|no such file|does not exist")


def test_certificate_that_is_not_pem_is_named(plain_ta, pki):
    proc = refused_start(plain_ta, "--tls-cert", str(pki.junk), "--tls-key", str(pki.key))
    assert_refused(proc, pki.junk, r"not a PEM|no certificate")


def test_key_that_is_not_pem_is_named(plain_ta, pki):
    for bad in (pki.junk, pki.der_key):
        proc = refused_start(plain_ta, "--tls-cert", str(pki.cert), "--tls-key", str(bad))
        assert_refused(proc, bad, r"not a PEM")


def test_key_of_another_certificate_is_named(plain_ta, pki):
    proc = refused_start(plain_ta, "--tls-cert", str(pki.cert), "--tls-key", str(pki.other_key))
    assert_refused(proc, pki.other_key, r"does not belong|does not match|mismatch")


def test_expired_certificate_is_named(plain_ta, pki):
    proc = refused_start(plain_ta, "--tls-cert", str(pki.expired), "--tls-key", str(pki.key))
    assert_refused(proc, pki.expired, r"expired")


def test_tls_cert_without_tls_key_is_refused(plain_ta, pki):
    proc = refused_start(plain_ta, "--tls-cert", str(pki.cert))
    assert proc.returncode != 0 and "listening on" not in proc.stdout, proc.stdout + proc.stderr
    assert "--tls-key" in proc.stderr, proc.stderr
    proc = refused_start(plain_ta, "--tls-key", str(pki.key))
    assert proc.returncode != 0 and "listening on" not in proc.stdout, proc.stdout + proc.stderr
    assert "--tls-cert" in proc.stderr, proc.stderr
