"""The sign-in's security rules (porch/server/oidc), as tables and hypothesis properties:
only same-origin paths as targets, states taken once and expiring, ID token claims checked,
session cookies that cannot be made up, issuers only over https (or loopback), and which
parameters porch fills in with the signed-in user."""

from __future__ import annotations

import base64
import hashlib
import json
import string
import time
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

import porch as gr
from porch.blocks.context import EventContext
from porch.blocks.signature import oauth_token_kind, signature_of
from porch.errors import ConfigError, Error
from porch.server.oidc.checks import SignInRefused, id_token_claims, pkce_pair, safe_target
from porch.server.oidc.config import OidcConfig, configure, oidc_config
from porch.server.oidc.sessions import PendingSignIns, SignedIn, SignedInSessions

APP = "https://app.example/apps/demo/login/oidc"
ISSUER = "https://id.example"


# ---- where the browser may be sent afterwards ------------------------------------------------

@given(st.text(max_size=60))
def test_a_target_never_leaves_the_origin(raw: str) -> None:
    target = safe_target(raw)
    if target is None:
        return
    resolved = urlsplit(urljoin(APP, target))
    assert (resolved.scheme, resolved.netloc) == ("https", "app.example")
    assert target == raw and target.startswith("/") and not target.startswith("//")
    assert not any(c in target for c in "\\\r\n\t ")


@given(st.text(alphabet=string.ascii_letters + string.digits + "/-_.~?=&%", max_size=40))
def test_a_plain_path_is_kept(tail: str) -> None:
    path = "/" + tail.lstrip("/")
    assert safe_target(path) == path


@pytest.mark.parametrize("raw", [
    None, "", "//evil.example", "///evil.example", "/\\evil.example", "\\\\evil.example",
    "https://evil.example/", "http:/evil.example", "javascript:alert(1)", "evil.example/x",
    " /x", "/x\r\nSet-Cookie: a=b", "/\x00", "/x y", "/\x7f",
])
def test_hostile_targets_are_refused(raw: str | None) -> None:
    assert safe_target(raw) is None


# ---- state: taken once, and only in time ------------------------------------------------------

class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_state_is_taken_once() -> None:
    pending = PendingSignIns(600, clock=Clock())
    started = pending.start(nonce="n", code_verifier="v", redirect_uri="r", target="/")
    assert pending.take(started.state) == started
    assert pending.take(started.state) is None


def test_a_state_expires() -> None:
    clock = Clock()
    pending = PendingSignIns(600, clock=clock)
    started = pending.start(nonce="n", code_verifier="v", redirect_uri="r", target="/")
    clock.now += 601
    assert pending.take(started.state) is None


def test_expired_states_are_dropped_and_a_flood_is_bounded() -> None:
    clock = Clock()
    pending = PendingSignIns(600, limit=5, clock=clock)
    first = [pending.start(nonce="n", code_verifier="v", redirect_uri="r", target="/")
             for _ in range(8)]
    assert len(pending) == 5 and pending.take(first[0].state) is None
    clock.now += 700
    pending.start(nonce="n", code_verifier="v", redirect_uri="r", target="/")
    assert len(pending) == 1


@given(st.text(max_size=64))
def test_no_made_up_state_finds_a_sign_in(guess: str) -> None:
    pending = PendingSignIns(600, clock=Clock())
    started = pending.start(nonce="n", code_verifier="v", redirect_uri="r", target="/")
    if guess != started.state:
        assert pending.take(guess) is None


def test_states_nonces_and_verifiers_are_fresh_and_pkce_is_s256() -> None:
    pairs = [pkce_pair() for _ in range(50)]
    assert len({v for v, _ in pairs}) == 50
    for verifier, challenge in pairs:
        assert 43 <= len(verifier) <= 128
        digest = hashlib.sha256(verifier.encode()).digest()
        assert challenge == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


# ---- the ID token's claims --------------------------------------------------------------------

def jwt(claims: dict[str, Any], alg: str = "RS256") -> str:
    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()
    return f"{part({'alg': alg})}.{part(claims)}.c2ln"


def good(**changes: Any) -> dict[str, Any]:
    now = int(time.time())
    return {"iss": ISSUER, "aud": "app", "sub": "u1", "iat": now, "exp": now + 300,
            "nonce": "the-nonce", **changes}


def check(token: str, nonce: str = "the-nonce") -> dict[str, Any]:
    return id_token_claims(token, issuer=ISSUER, client_id="app", nonce=nonce,
                           now=time.time())


def test_a_good_id_token_passes() -> None:
    assert check(jwt(good()))["sub"] == "u1"
    assert check(jwt(good(aud=["app", "other"], azp="app")))["sub"] == "u1"


@pytest.mark.parametrize("token", [
    None, "", "a.b", "a.b.c.d", "!!!.***.x", jwt(good(), alg="none"),
    jwt(good(iss="https://id.example/")), jwt(good(aud="other")), jwt(good(aud=["other"])),
    jwt(good(aud=["app", "other"])), jwt(good(azp="other")), jwt(good(exp=0)),
    jwt(good(exp="soon")), jwt(good(iat=None)), jwt(good(iat=time.time() + 3600)),
    jwt(good(nonce=None)), jwt(good(nonce="")), jwt(good(sub=None)), jwt(good(sub=7)),
])
def test_a_wrong_id_token_is_refused(token: Any) -> None:
    with pytest.raises(SignInRefused):
        check(token)


@given(st.text(max_size=40))
def test_any_other_nonce_is_refused(nonce: str) -> None:
    if nonce == "the-nonce":
        return
    with pytest.raises(SignInRefused):
        check(jwt(good()), nonce=nonce)
    with pytest.raises(SignInRefused):
        check(jwt(good(nonce=nonce)))


# ---- the signed-in session's cookie -----------------------------------------------------------

def signed_in(expires_at: float) -> SignedIn:
    return SignedIn(gr.OAuthProfile({"sub": "u1"}), gr.OAuthToken("t", "openid", 0),
                    expires_at)


@given(st.text(max_size=120))
def test_no_made_up_cookie_is_anyone(cookie: str) -> None:
    sessions = SignedInSessions()
    real = sessions.open(signed_in(time.time() + 60))
    if cookie != real:
        assert sessions.who(cookie) is None
    assert sessions.who(real) is not None


def test_a_session_ends_with_its_token_and_on_close() -> None:
    clock = Clock()
    sessions = SignedInSessions(clock=clock)
    cookie = sessions.open(signed_in(clock.now + 10))
    assert sessions.who(cookie) is not None
    clock.now += 11
    assert sessions.who(cookie) is None and len(sessions) == 0
    other = sessions.open(signed_in(clock.now + 10))
    sessions.close(other)
    assert sessions.who(other) is None


# ---- configuration ----------------------------------------------------------------------------

@pytest.mark.parametrize("issuer", [
    "http://id.example", "ftp://id.example", "https://", "https://u:p@id.example",
    "id.example", "http://10.0.0.1", "https://id.example/#x",
])
def test_an_issuer_must_be_https_or_loopback(issuer: str) -> None:
    with pytest.raises(ConfigError):
        OidcConfig(issuer=issuer, client_id="app")


@pytest.mark.parametrize("issuer", [
    "https://id.example", "https://id.example/realms/x", "http://127.0.0.1:8080",
    "http://localhost:9000", "http://[::1]:9000",
])
def test_https_and_loopback_issuers_are_fine(issuer: str) -> None:
    assert OidcConfig(issuer=issuer, client_id="app").issuer == issuer


def test_configure_wins_over_the_environment_field_by_field() -> None:
    env = {"PORCH_OIDC_ISSUER": "https://env.example", "PORCH_OIDC_CLIENT_ID": "env-app",
           "PORCH_OIDC_CLIENT_SECRET": "from-env"}
    assert oidc_config({}) is None
    from_env = oidc_config(env)
    assert from_env is not None and from_env.name == "env.example"
    try:
        configure(issuer="https://code.example", name="Code ID")
        chosen = oidc_config(env)
        assert chosen is not None
        assert (chosen.issuer, chosen.client_id, chosen.client_secret, chosen.name) == (
            "https://code.example", "env-app", "from-env", "Code ID")
        with pytest.raises(ConfigError, match="client_id"):
            oidc_config({})
    finally:
        configure()
    with pytest.raises(ConfigError, match="openid"):
        OidcConfig(issuer=ISSUER, client_id="app", scopes="profile")


# ---- which parameters porch fills in ----------------------------------------------------------

def test_oauth_parameters_are_filled_in_not_inputs() -> None:
    def fn(text: str, profile: gr.OAuthProfile | None, token: gr.OAuthToken) -> str:
        return text

    signature = signature_of(fn)
    assert [p.name for p in signature.inputs] == ["text"]
    assert oauth_token_kind(signature) == "required"
    profile = gr.OAuthProfile({"sub": "u1", "name": "Ada", "preferred_username": "ada"})
    token = gr.OAuthToken("t", "openid", 0)
    _, kwargs = signature.bind(["x"], EventContext(oauth_profile=profile, oauth_token=token))
    assert kwargs == {"profile": profile, "token": token}
    with pytest.raises(Error, match="requires a logged in user"):
        signature.bind(["x"], EventContext(oauth_profile=profile))


@pytest.mark.parametrize("annotation", [
    "gr.OAuthProfile | None", "Optional[gr.OAuthProfile]", "None | OAuthProfile",
])
def test_string_annotations_that_allow_none(annotation: str) -> None:
    def fn(profile):  # type: ignore[no-untyped-def]
        return profile

    fn.__annotations__ = {"profile": annotation}
    _, kwargs = signature_of(fn).bind([], EventContext())
    assert kwargs == {"profile": None}


def test_a_profile_from_any_issuer_has_gradios_attributes() -> None:
    profile = gr.OAuthProfile({"sub": "u1", "email": "ada@example.test"})
    assert (profile.username, profile.name, profile.profile, profile.picture) == (
        "ada@example.test", "ada@example.test", "", "")
    assert profile["sub"] == "u1" and isinstance(profile, dict)
    assert "secret" not in repr(gr.OAuthToken("secret", "openid", 1))


def test_the_exposure_report_names_the_issuer_or_the_missing_one() -> None:
    from porch.server.exposure import report, warnings_for
    from porch.server.settings import Settings

    with gr.Blocks() as demo:
        gr.LoginButton()
    bare = Settings.build(environ={})
    assert any("LoginButton but no OpenID Connect issuer" in w for w in warnings_for(demo, bare))
    named = Settings.build(environ={"PORCH_OIDC_ISSUER": ISSUER, "PORCH_OIDC_CLIENT_ID": "app"})
    assert not any("LoginButton" in w for w in warnings_for(demo, named))
    assert f"sign-in  with {ISSUER}" in report(demo, named, "/tmp/cache")


def test_sign_ins_are_kept_where_the_backend_says() -> None:
    from porch.server.backend import MemoryBackend
    from porch.server.runtime import AppRuntime
    from porch.server.settings import Settings

    pending, sessions = PendingSignIns(5), SignedInSessions()

    class Cluster(MemoryBackend):
        def oidc_pending(self, *, timeout: float) -> PendingSignIns:
            assert timeout == 600
            return pending

        def oidc_sessions(self) -> SignedInSessions:
            return sessions

    with gr.Blocks() as demo:
        gr.LoginButton()
    settings = Settings.build(environ={"PORCH_OIDC_ISSUER": ISSUER,
                                       "PORCH_OIDC_CLIENT_ID": "app"})
    runtime = AppRuntime(demo, settings, Cluster())
    assert runtime.oidc is not None
    assert runtime.oidc.pending is pending and runtime.oidc.sessions is sessions
