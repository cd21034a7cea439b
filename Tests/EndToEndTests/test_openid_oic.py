"""OpenID Connect with PyPI `oic` (pyoidc's Client) as the relying party.

The client learns everything from discovery (`provider_config`), its registration is
set by hand (TermAuth has no dynamic registration), and it runs the code flow, the
token request (client_secret_basic) and UserInfo the way oic does by default: POST
with the access token in the form body. oic accepts a missing nonce silently, so the
tests check the ID token oic parsed themselves, and let PyJWT judge the raw JWT too.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from oic import rndstr
from oic.oauth2.message import Message
from oic.oic import Client
from oic.oic.message import (AccessTokenResponse, AuthorizationResponse, IdToken, OpenIDSchema,
                             ProviderConfigurationResponse, RegistrationResponse)
from oic.utils.authn.client import CLIENT_AUTHN_METHOD

from conftest import BackgroundGet, unique
from openid_helpers import (REDIRECT, add_oidc_client, add_person, fetch_jwks, half_hash,
                            verify_id_token)


class RecordingClient(Client):
    """oic's Client, keeping every HTTP request it sends so the tests can see how."""

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.sent: list[dict] = []

    def http_request(self, url, method="GET", **kwargs):
        self.sent.append({"url": url, "method": method, "data": kwargs.get("data"),
                          "headers": dict(kwargs.get("headers") or {})})
        return super().http_request(url, method, **kwargs)


def oic_client(base_url: str, client: dict) -> RecordingClient:
    rp = RecordingClient(client_authn_method=CLIENT_AUTHN_METHOD)
    rp.provider_config(base_url)
    # Registration information set by hand, as for any statically registered client.
    rp.store_registration_info(RegistrationResponse(
        client_id=client["client_id"], client_secret=client["client_secret"],
        redirect_uris=[REDIRECT], token_endpoint_auth_method="client_secret_basic"))
    rp.redirect_uris = [REDIRECT]
    return rp


def oic_sign_in(base_url: str, ta, rp: RecordingClient, client: dict, person, scope: list):
    state, nonce = rndstr(32), rndstr(32)
    pkce, verifier = rp.add_code_challenge()
    request = rp.construct_AuthorizationRequest(request_args={
        "client_id": client["client_id"], "response_type": "code", "scope": scope,
        "nonce": nonce, "redirect_uri": REDIRECT, "state": state, **pkce})
    url = request.request(rp.authorization_endpoint)
    agent = BackgroundGet(url, allow_redirects=False).start()
    entry = ta.wait_for_request(client["client_id"], stop_if=agent.early_answer)
    ta.approve(entry["approval_code"], user=person.username, password=person.password)
    answer = agent.join()
    assert answer.status_code == 302, f"/authorize answered {answer.status_code}: {answer.text[:300]}"
    location = answer.headers["Location"]
    assert location.startswith(REDIRECT + "?"), location
    auth = rp.parse_response(AuthorizationResponse, info=urlsplit(location).query,
                             sformat="urlencoded")
    assert isinstance(auth, AuthorizationResponse), auth
    assert auth["state"] == state
    # RFC 9207 (oic does not look at it; a careful client does).
    assert auth["iss"] == rp.provider_info["issuer"], auth.to_dict()
    tokens = rp.do_access_token_request(
        state=state, authn_method="client_secret_basic",
        request_args={"code": auth["code"], "redirect_uri": REDIRECT, "code_verifier": verifier})
    assert isinstance(tokens, AccessTokenResponse), f"token request failed: {tokens.to_dict()}"
    return tokens, state, nonce


@pytest.fixture
def rp_setup(server, seeded):
    person = add_person(seeded, email=f"{unique('grace')}@example.org", email_verified=True,
                        display_name="Grace Hopper")
    client = add_oidc_client(seeded, "oic-rp")
    return person, client, oic_client(server.base_url, client)


def test_provider_discovery(server, seeded):
    # A client with the default grants, so the server has one to list.
    add_oidc_client(seeded, "oic-discovery")
    base = server.base_url
    rp = RecordingClient(client_authn_method=CLIENT_AUTHN_METHOD)
    pcr = rp.provider_config(base)  # oic checks issuer == the URL it was given
    assert isinstance(pcr, ProviderConfigurationResponse)
    # oic's own check of the REQUIRED members and their types; its ProviderConfiguration
    # check adds an https-only issuer rule, which a loopback test server cannot meet.
    Message.verify(pcr)
    md = pcr.to_dict()

    issuer = md["issuer"]
    assert issuer == base
    assert md["authorization_endpoint"] == issuer + "/authorize"
    assert md["token_endpoint"] == issuer + "/token"
    assert md["userinfo_endpoint"] == issuer + "/userinfo"
    assert md["jwks_uri"] == issuer + "/jwks.json"
    assert md["device_authorization_endpoint"] == issuer + "/device_authorization"
    assert md["introspection_endpoint"] == issuer + "/introspect"
    assert md["revocation_endpoint"] == issuer + "/revoke"
    assert rp.authorization_endpoint == md["authorization_endpoint"]
    assert rp.token_endpoint == md["token_endpoint"]
    assert rp.userinfo_endpoint == md["userinfo_endpoint"]

    assert "code" in md["response_types_supported"], md
    assert md["subject_types_supported"] == ["public"], md
    # Discovery §3: RS256 MUST be listed.
    assert md["id_token_signing_alg_values_supported"] == ["RS256", "ES256"], md
    assert md["code_challenge_methods_supported"] == ["S256"], md
    assert {"openid", "profile", "email", "offline_access"} <= set(md["scopes_supported"]), md
    assert {"iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "at_hash", "amr", "azp",
            "name", "preferred_username", "updated_at", "email",
            "email_verified"} <= set(md["claims_supported"]), md
    assert {"authorization_code", "refresh_token"} <= set(md["grant_types_supported"]), md
    # Omitted, request_uri_parameter_supported would mean true (Discovery §3).
    assert md["request_parameter_supported"] is False, md
    assert md["request_uri_parameter_supported"] is False, md
    assert md["claims_parameter_supported"] is False, md
    assert md["authorization_response_iss_parameter_supported"] is True, md

    # One document under both names (RFC 8414 §3 and Discovery §4).
    oauth = requests.get(base + "/.well-known/oauth-authorization-server", timeout=10)
    assert oauth.status_code == 200
    openid = requests.get(base + "/.well-known/openid-configuration", timeout=10)
    assert oauth.json() == openid.json()

    # oic fetched the key set from jwks_uri into its key jar.
    loaded = {key.kid for key in rp.keyjar.get_issuer_keys(issuer)}
    assert loaded == {k["kid"] for k in fetch_jwks(base)["keys"]}, loaded


def test_code_flow_token_request_and_userinfo_by_post_body(server, seeded, rp_setup):
    person, client, rp = rp_setup
    tokens, state, nonce = oic_sign_in(server.base_url, seeded, rp, client, person,
                                       ["openid", "profile", "email"])

    # The ID token oic parsed and verified (signature with its key jar, iss, aud).
    id_token = tokens["id_token"]
    assert isinstance(id_token, IdToken), type(id_token)
    assert id_token["iss"] == rp.provider_info["issuer"]
    assert id_token["aud"] == [client["client_id"]], id_token.to_dict()
    assert id_token["sub"] == person.sub and id_token["sub"] != person.username
    assert id_token["nonce"] == nonce, id_token.to_dict()
    assert id_token["at_hash"] == half_hash(tokens["access_token"])
    assert id_token["amr"] == ["pwd"]
    assert rp.grant[state].get_id_token()["sub"] == person.sub
    # And the same JWT as PyJWT, the strict judge, sees it.
    strict = verify_id_token(server.base_url, tokens["id_token_jwt"], client["client_id"],
                             nonce=nonce, access_token=tokens["access_token"])
    assert strict["sub"] == id_token["sub"]

    # UserInfo the oic way: POST, the token in the body (OpenID Core §5.3.1, RFC 6750 §2.2).
    before = len(rp.sent)
    info = rp.do_user_info_request(state=state)  # method="POST" is oic's default
    assert isinstance(info, OpenIDSchema), f"UserInfo failed: {info.to_dict()}"
    sent = rp.sent[before:]
    assert len(sent) == 1 and sent[0]["method"] == "POST", sent
    body = parse_qs(sent[0]["data"] or "")
    assert body.get("access_token") == [tokens["access_token"]], sent
    assert "Authorization" not in sent[0]["headers"], sent
    # oic already compared sub with the ID token's (SubMismatch otherwise).
    assert info["sub"] == person.sub
    assert info["name"] == "Grace Hopper"
    assert info["preferred_username"] == person.username
    assert info["email"] == person.email and info["email_verified"] is True
    assert isinstance(info["updated_at"], int)

    # And by GET with the Authorization header, which oic uses for GET.
    info_get = rp.do_user_info_request(state=state, method="GET")
    assert isinstance(info_get, OpenIDSchema), info_get.to_dict()
    assert rp.sent[-1]["method"] == "GET"
    assert rp.sent[-1]["headers"].get("Authorization") == f"Bearer {tokens['access_token']}"
    assert info_get.to_dict() == info.to_dict()


def test_refresh_with_oic(server, seeded, rp_setup):
    person, client, rp = rp_setup
    tokens, state, nonce = oic_sign_in(server.base_url, seeded, rp, client, person,
                                       ["openid", "offline_access"])
    assert tokens.get("refresh_token"), tokens.to_dict()
    refreshed = rp.do_access_token_refresh(state=state, authn_method="client_secret_basic")
    assert isinstance(refreshed, AccessTokenResponse), refreshed.to_dict()
    assert refreshed["access_token"] != tokens["access_token"]
    new_id = refreshed["id_token"]
    assert isinstance(new_id, IdToken)
    old_id = tokens["id_token"]
    for claim in ("iss", "sub", "aud", "auth_time"):
        assert new_id[claim] == old_id[claim], (claim, old_id.to_dict(), new_id.to_dict())
    assert "nonce" not in new_id, new_id.to_dict()
    verify_id_token(server.base_url, refreshed["id_token_jwt"], client["client_id"],
                    nonce=None, access_token=refreshed["access_token"])
