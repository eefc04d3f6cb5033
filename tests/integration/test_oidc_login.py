"""Signing in with an OpenID Connect issuer, over real HTTP: porch on uvicorn, the test issuer
(tests/oidc_issuer.py) on uvicorn, and httpx as the browser, following the redirects.

The whole flow, then each way a sign-in must be refused: a state that is not the browser's,
a replayed callback, a wrong nonce or issuer or audience, an expired state, userinfo about
someone else, and a `_target_url` leading off the site.
"""

from __future__ import annotations

import html
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

import porch as gr
from tests.conftest import free_port
from tests.oidc_issuer import CLIENT_ID, CLIENT_SECRET, Issuer, running_issuer


def whoami(profile: gr.OAuthProfile | None) -> str:
    return "nobody" if profile is None else f"{profile.name} ({profile.username})"


def scope_of(token: gr.OAuthToken | None) -> str:
    return "no token" if token is None else token.scope


def members_only(profile: gr.OAuthProfile) -> str:
    return f"welcome {profile.username}"


def app() -> gr.Blocks:
    with gr.Blocks() as demo:
        gr.LoginButton()
        out = gr.Textbox()
        gr.Button("who").click(whoami, None, out, api_name="whoami")
        gr.Button("scope").click(scope_of, None, out, api_name="scope")
        gr.Button("members").click(members_only, None, out, api_name="members")
    return demo


@pytest.fixture
def issuer() -> Iterator[Issuer]:
    with running_issuer() as issuer:
        gr.oidc.configure(issuer=issuer.url, client_id=CLIENT_ID, client_secret=CLIENT_SECRET,
                          name="Test ID")
        try:
            yield issuer
        finally:
            gr.oidc.configure()  # forget it: later apps in this process sign in with nobody


@pytest.fixture
def app_url(issuer: Issuer, serve: Callable[..., str]) -> str:
    url = serve(app())
    issuer.redirect_uris.add(url + "/login/callback")
    return url


def browser() -> httpx.Client:
    return httpx.Client(timeout=30, follow_redirects=True)


def text_of(response: httpx.Response) -> str:
    return html.unescape(response.text)


def run(client: httpx.Client, url: str, api_name: str) -> Any:
    answer = client.post(f"{url}/gradio_api/run/{api_name}", json={"data": []})
    return answer.json()


def callback_url(client: httpx.Client, url: str, **params: str) -> str:
    """Go to the issuer and back, stopping before porch's callback: its URL."""
    start = client.get(url + "/login/oidc", params=params, follow_redirects=False)
    assert start.status_code == 302, start.text
    approved = client.get(start.headers["location"], follow_redirects=False)
    assert approved.status_code == 302, approved.text
    location: str = approved.headers["location"]
    assert location.startswith(url + "/login/callback?")
    return location


def login_button(client: httpx.Client, url: str) -> dict[str, Any]:
    config = client.get(url + "/config").json()
    found = [c["props"] for c in config["components"] if "porch_login" in c["props"]]
    assert len(found) == 1
    return found[0]


def test_sign_in_call_as_the_user_and_sign_out(app_url: str, issuer: Issuer) -> None:
    with browser() as client:
        assert run(client, app_url, "whoami")["data"] == ["nobody"]
        assert login_button(client, app_url)["value"] == "Sign in with Test ID"
        landed = client.get(app_url + "/login/oidc", params={"_target_url": "/?tab=2"})
        assert landed.status_code == 200
        assert str(landed.url) == app_url + "/?tab=2"
        assert [hop.status_code for hop in landed.history] == [302, 302, 303]
        assert run(client, app_url, "whoami")["data"] == ["Ada Lovelace (ada)"]
        assert run(client, app_url, "scope")["data"] == ["openid profile email"]
        assert run(client, app_url, "members")["data"] == ["welcome ada"]
        button = login_button(client, app_url)
        assert (button["value"], button["porch_signed_in"]) == ("Logout (ada)", True)
        session = [c for c in client.cookies.jar if c.name.startswith("porch-oidc-")]
        assert len(session) == 1 and not session[0].name.startswith("porch-oidc-state-")
        assert session[0].has_nonstandard_attr("HttpOnly")
        # Signing out is a POST; a GET signs nobody out.
        client.get(app_url + "/logout")
        assert run(client, app_url, "whoami")["data"] == ["Ada Lovelace (ada)"]
        assert client.post(app_url + "/logout").status_code == 200
        assert run(client, app_url, "whoami")["data"] == ["nobody"]
        assert login_button(client, app_url)["porch_signed_in"] is False


def test_the_session_cookie_is_needed_and_cannot_be_made_up(app_url: str) -> None:
    with browser() as client:
        client.get(app_url + "/login/oidc")
        name, value = next((c.name, c.value) for c in client.cookies.jar
                           if c.name.startswith("porch-oidc-"))
    with browser() as stranger:
        assert run(stranger, app_url, "whoami")["data"] == ["nobody"]
        token, _, mac = value.partition(".")
        stranger.cookies.set(name, f"{token}.{'0' * len(mac)}")
        assert run(stranger, app_url, "whoami")["data"] == ["nobody"]


def test_a_required_profile_refuses_a_signed_out_call(app_url: str) -> None:
    with browser() as client:
        answer = run(client, app_url, "members")
    assert answer["error"] == "This action requires a logged in user. Please sign in and retry."


def test_a_state_not_from_this_browser_is_refused(app_url: str, issuer: Issuer) -> None:
    with browser() as victim, browser() as attacker:
        # The attacker's own sign-in, handed to the victim: it must not sign the victim in.
        link = callback_url(attacker, app_url)
        refused = victim.get(link)
        assert refused.status_code == 400
        assert "state is not this browser's" in text_of(refused)
        assert run(victim, app_url, "whoami")["data"] == ["nobody"]
        # The right browser with a state changed on the way is refused too.
        parts = urlsplit(link)
        query = parse_qs(parts.query)
        forged = f"{app_url}/login/callback?code={query['code'][0]}&state=forged"
        assert attacker.get(forged).status_code == 400
        assert run(attacker, app_url, "whoami")["data"] == ["nobody"]


def test_a_replayed_callback_is_refused(app_url: str, issuer: Issuer) -> None:
    with browser() as client:
        link = callback_url(client, app_url)
        state_cookie = next((c.name, c.value) for c in client.cookies.jar
                            if c.name.startswith("porch-oidc-state-"))
        assert client.get(link).status_code == 200
        assert run(client, app_url, "whoami")["data"] == ["Ada Lovelace (ada)"]
    with browser() as replay:
        replay.cookies.set(*state_cookie)  # even with the first browser's state cookie
        refused = replay.get(link)
        assert refused.status_code == 400
        assert "already used" in text_of(refused)
        assert run(replay, app_url, "whoami")["data"] == ["nobody"]
    assert len(issuer.used_codes) == 1  # porch never sent the code twice


def test_the_issuer_refuses_a_code_twice(issuer: Issuer, app_url: str) -> None:
    """The test issuer is as strict as a real one (so the tests above mean something)."""
    with browser() as client:
        code = parse_qs(urlsplit(callback_url(client, app_url)).query)["code"][0]
    form = {"grant_type": "authorization_code", "code": code,
            "redirect_uri": app_url + "/login/callback", "code_verifier": "x" * 43}
    first = httpx.post(issuer.url + "/token", data=form, auth=(CLIENT_ID, CLIENT_SECRET))
    second = httpx.post(issuer.url + "/token", data=form, auth=(CLIENT_ID, CLIENT_SECRET))
    assert first.status_code == second.status_code == 400
    assert issuer.refused == ["PKCE verifier does not match", "unknown or used code"]


@pytest.mark.parametrize(("tamper", "reason"), [
    ({"nonce": "another-sign-in"}, "nonce is not this sign-in's"),
    ({"iss": "http://127.0.0.1:1"}, "ID token is from"),
    ({"aud": "another-app"}, "for another client"),
    ({"aud": [CLIENT_ID, "another-app"]}, "another party (azp)"),
    ({"exp": int(time.time()) - 3600}, "has expired"),
    ({"sub": ""}, "names no subject"),
])
def test_an_id_token_not_for_this_sign_in_is_refused(
        app_url: str, issuer: Issuer, tamper: dict[str, Any], reason: str) -> None:
    issuer.tamper = tamper
    with browser() as client:
        refused = client.get(app_url + "/login/oidc")
        assert refused.status_code == 400
        assert reason in text_of(refused)
        assert run(client, app_url, "whoami")["data"] == ["nobody"]


def test_userinfo_about_someone_else_is_refused(app_url: str, issuer: Issuer) -> None:
    issuer.userinfo_tamper = {"sub": "user-2"}
    with browser() as client:
        refused = client.get(app_url + "/login/oidc")
        assert refused.status_code == 400
        assert "another subject" in text_of(refused)


def test_an_expired_state_is_refused(issuer: Issuer, serve: Callable[..., str]) -> None:
    gr.oidc.configure(issuer=issuer.url, client_id=CLIENT_ID, client_secret=CLIENT_SECRET,
                      login_timeout=0.5)
    url = serve(app())
    issuer.redirect_uris.add(url + "/login/callback")
    with browser() as client:
        link = callback_url(client, url)
        time.sleep(1.0)
        refused = client.get(link)
        assert refused.status_code == 400
        assert "expired" in text_of(refused)
        assert run(client, url, "whoami")["data"] == ["nobody"]
    assert issuer.used_codes == []


@pytest.mark.parametrize("target", [
    "//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:alert(1)",
    "evil.example", "/\r\nSet-Cookie: x=1", "\t//evil.example", "",
])
def test_only_a_path_on_this_site_is_a_target(app_url: str, target: str) -> None:
    with browser() as client:
        landed = client.get(app_url + "/login/oidc", params={"_target_url": target})
        assert landed.status_code == 200
        assert str(landed.url) == app_url + "/"
        assert "x" not in client.cookies


def test_without_an_issuer_the_button_says_so(serve: Callable[..., str]) -> None:
    url = serve(app())
    with browser() as client:
        assert login_button(client, url)["porch_login"] is None
        answer = client.get(url + "/login/oidc")
        assert answer.status_code == 404
        assert "PORCH_OIDC_ISSUER" in text_of(answer)
        assert run(client, url, "whoami")["data"] == ["nobody"]


def test_an_issuer_is_named_by_environment_variables(
        issuer: Issuer, serve: Callable[..., str], monkeypatch: pytest.MonkeyPatch) -> None:
    gr.oidc.configure()
    monkeypatch.setenv("PORCH_OIDC_ISSUER", issuer.url)
    monkeypatch.setenv("PORCH_OIDC_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("PORCH_OIDC_CLIENT_SECRET", CLIENT_SECRET)
    url = serve(app())
    issuer.redirect_uris.add(url + "/login/callback")
    with browser() as client:
        assert login_button(client, url)["value"] == "Sign in with 127.0.0.1"
        assert client.get(url + "/login/oidc").status_code == 200
        assert run(client, url, "whoami")["data"] == ["Ada Lovelace (ada)"]


def test_a_user_who_says_no_at_the_issuer_is_told_so(app_url: str, issuer: Issuer) -> None:
    issuer.deny = True
    with browser() as client:
        refused = client.get(app_url + "/login/oidc")
        assert refused.status_code == 400
        assert "'access_denied': The user said no" in text_of(refused)
        assert run(client, app_url, "whoami")["data"] == ["nobody"]


def test_a_public_client_signs_in_with_pkce_alone(
        issuer: Issuer, serve: Callable[..., str]) -> None:
    issuer.public_client = True
    gr.oidc.configure(issuer=issuer.url, client_id=CLIENT_ID)
    url = serve(app())
    issuer.redirect_uris.add(url + "/login/callback")
    with browser() as client:
        assert client.get(url + "/login/oidc").status_code == 200
        assert run(client, url, "whoami")["data"] == ["Ada Lovelace (ada)"]


def test_a_discovery_document_for_another_issuer_is_refused(
        app_url: str, issuer: Issuer) -> None:
    issuer.discovery_tamper = {"issuer": "https://elsewhere.example"}
    with browser() as client:
        answer = client.get(app_url + "/login/oidc")
        assert answer.status_code == 502
        assert "https://elsewhere.example" in text_of(answer)


def test_endpoints_off_loopback_in_plain_http_are_refused(
        app_url: str, issuer: Issuer) -> None:
    issuer.discovery_tamper = {"token_endpoint": "http://tokens.example/token"}
    with browser() as client:
        answer = client.get(app_url + "/login/oidc")
        assert answer.status_code == 502
        assert "must be https" in text_of(answer)


def test_an_unreachable_issuer_is_a_clear_error(serve: Callable[..., str]) -> None:
    gr.oidc.configure(issuer=f"http://127.0.0.1:{free_port()}", client_id=CLIENT_ID)
    try:
        url = serve(app())
        with browser() as client:
            answer = client.get(url + "/login/oidc")
            assert answer.status_code == 502
            assert "could not be reached" in text_of(answer)
    finally:
        gr.oidc.configure()


def test_under_a_path_prefix(issuer: Issuer, serve: Callable[..., str]) -> None:
    """A proxy that keeps the prefix: the callback, the cookies and the way home stay
    under it."""
    url = serve(app(), root_path="/apps/demo")
    base = url.removesuffix("/apps/demo").rstrip("/") + "/apps/demo"
    issuer.redirect_uris.add(base + "/login/callback")
    with browser() as client:
        landed = client.get(base + "/login/oidc")
        assert landed.status_code == 200
        assert str(landed.url) == base + "/"
        cookie = next(c for c in client.cookies.jar if c.name.startswith("porch-oidc-"))
        assert cookie.path == "/apps/demo/"
        assert run(client, base, "whoami")["data"] == ["Ada Lovelace (ada)"]


def test_an_answer_naming_another_issuer_is_refused(app_url: str, issuer: Issuer) -> None:
    """RFC 9207's `iss` in the authorization response: a mix-up with another issuer."""
    with browser() as client:
        link = callback_url(client, app_url)
        refused = client.get(link + "&iss=https%3A%2F%2Fother.example")
        assert refused.status_code == 400
        assert "not the issuer" in text_of(refused)
        assert issuer.used_codes == []
