"""UI-only events (`api_visibility="private"`) and login-only events (`requires_login=True`)
on a real server: listed nowhere, refused through every call route without the page's proof
or a login, and refused before anything of the call happens."""

from __future__ import annotations

import collections
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from gradio_client import Client
from starlette.applications import Starlette

import porch as gr
from porch.errors import ConfigError
from porch.server.app import create_app
from porch.server.event_access import PROOF_HEADER
from porch.server.mcp_tools import tool_endpoints
from porch.server.settings import Settings
from tests.conftest import free_port
from tests.oidc_issuer import CLIENT_ID, CLIENT_SECRET, Issuer, running_issuer

P = "/gradio_api"
calls: collections.Counter[str] = collections.Counter()


def secret(text: str) -> str:
    calls["secret"] += 1
    return "secret " + text


def members(text: str) -> str:
    calls["members"] += 1
    return "members " + text


def app() -> gr.Blocks:
    with gr.Blocks() as demo:
        gr.LoginButton()
        box, out = gr.Textbox(label="in"), gr.Textbox(label="out")
        gr.Button("Public").click(lambda x: "public " + x, box, out, api_name="public")
        gr.Button("Secret").click(secret, box, out, api_name="secret", api_visibility="private")
        gr.Button("Members").click(members, box, out, api_name="members", requires_login=True)
    return demo


def launch(demo: gr.Blocks, **options: Any) -> tuple[Starlette, str]:
    server, url, _ = demo.launch(prevent_thread_lock=True, server_name="127.0.0.1",
                                 server_port=free_port(), quiet=True, **options)
    return server, url.rstrip("/")


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[Starlette, str]]:
    demo = app()
    yield launch(demo)
    demo.close()


@pytest.fixture(scope="module")
def url(served: tuple[Starlette, str]) -> str:
    return served[1]


def fn_index(url: str, api_name: str) -> int:
    config = httpx.get(url + "/config").json()
    found: int = next(d["id"] for d in config["dependencies"] if d["api_name"] == api_name)
    return found


def page_proof(client: httpx.Client, url: str) -> str:
    """What the page shell hands this browser (and what a page-scraping script could read)."""
    shell = client.get(url + "/")
    found = re.search(r'<meta name="porch-page-proof" content="([0-9a-f]+)">', shell.text)
    assert found is not None
    return found.group(1)


def test_a_private_event_is_listed_nowhere(url: str) -> None:
    for query in ("", "?all_endpoints=true"):
        assert "/secret" not in httpx.get(f"{url}{P}/info{query}").json()["named_endpoints"]
    assert not [p for p in httpx.get(f"{url}{P}/openapi.json").json()["paths"] if "secret" in p]
    runtime = create_app(app(), Settings.build(environ={})).state.runtime
    assert "secret" not in tool_endpoints(runtime) and "public" in tool_endpoints(runtime)
    # Nor is a login-only event offered as an MCP tool: an MCP client cannot sign in.
    assert "members" not in tool_endpoints(runtime)


def every_call(url: str, name: str, index: int, session: str) -> list[httpx.Request]:
    body = {"data": ["hi"], "session_hash": session}
    return [httpx.Request("POST", f"{url}{P}/call/{name}", json=body),
            httpx.Request("POST", f"{url}{P}/call/v2/{name}", json={"text": "hi"}),
            httpx.Request("POST", f"{url}{P}/run/{name}", json=body),
            httpx.Request("POST", f"{url}{P}/api/{name}", json=body),
            httpx.Request("POST", f"{url}{P}/run/public", json={**body, "fn_index": index}),
            httpx.Request("POST", f"{url}{P}/queue/join",
                          json={**body, "fn_index": index, "trigger_id": None})]


def test_a_private_event_is_refused_through_every_route(served: tuple[Starlette, str]) -> None:
    server, url = served
    runtime = server.state.runtime
    index = fn_index(url, "secret")
    before = calls["secret"]
    with httpx.Client() as api_client:
        api_client.get(url + "/config")  # as gradio_client does: it has a client cookie
        for request in every_call(url, "secret", index, "private-probe"):
            answer = api_client.send(request)
            assert answer.status_code == 403, (request.url, answer.text)
            assert "only the app's own page may run it" in answer.json()["detail"]
    assert calls["secret"] == before
    # Refused before anything happened: the session named was never opened.
    assert runtime.states.peek("private-probe") is None
    assert runtime.bus.get("private-probe") is None


def test_the_page_proof_opens_it_for_that_browser_only(url: str) -> None:
    with httpx.Client() as browser, httpx.Client() as other, httpx.Client() as bare:
        proof = page_proof(browser, url)
        body = {"data": ["hi"]}
        ran = browser.post(f"{url}{P}/run/secret", json=body, headers={PROOF_HEADER: proof})
        assert ran.status_code == 200 and ran.json()["data"] == ["secret hi"]
        # The same proof with another browser's cookie, or none, or a made-up one: refused.
        other.get(url + "/")
        for client, headers in ((other, {PROOF_HEADER: proof}),
                                (bare, {PROOF_HEADER: proof}),
                                (browser, {PROOF_HEADER: "0" * 64}), (browser, {})):
            answer = client.post(f"{url}{P}/run/secret", json=body, headers=headers)
            assert answer.status_code == 403, headers


def test_gradio_client_neither_lists_nor_reaches_a_private_event(url: str) -> None:
    client = Client(url + "/", verbose=False)
    listed = client.view_api(print_info=False, return_format="dict")
    assert "/secret" not in listed["named_endpoints"]
    index = fn_index(url, "secret")
    with pytest.raises(ValueError):
        client.predict("hi", fn_index=index)  # gradio_client itself refuses
    # Told it may (as a modified client would be), the server refuses it.
    client.endpoints[index].is_valid = True
    before = calls["secret"]
    with pytest.raises(httpx.HTTPStatusError, match="403 Forbidden"):
        client.predict("hi", fn_index=index)
    assert calls["secret"] == before
    assert client.predict("hi", api_name="/public") == "public hi"


def test_a_login_only_event_refuses_anonymous_calls_with_401(url: str) -> None:
    before = calls["members"]
    index = fn_index(url, "members")
    with httpx.Client() as anonymous:
        for request in every_call(url, "members", index, "anonymous-probe"):
            answer = anonymous.send(request)
            assert answer.status_code == 401, (request.url, answer.text)
            assert "needs a login: sign in first" in answer.json()["detail"]
    assert calls["members"] == before
    described = httpx.get(f"{url}{P}/info").json()["named_endpoints"]["/members"]
    assert described["requires_login"] is True
    spec = httpx.get(f"{url}{P}/openapi.json").json()
    assert "401" in spec["paths"][f"{P}/run/members"]["post"]["responses"]
    with pytest.raises(httpx.HTTPStatusError, match="401 Unauthorized"):
        Client(url + "/", verbose=False).predict("hi", api_name="/members")


def test_a_password_login_opens_a_login_only_event() -> None:
    demo = app()
    _, url = launch(demo, auth=("ada", "lovelace"))
    try:
        with httpx.Client() as client:
            client.post(url + "/login", data={"username": "ada", "password": "lovelace"})
            ran = client.post(f"{url}{P}/run/members", json={"data": ["hi"]})
            assert ran.status_code == 200 and ran.json()["data"] == ["members hi"]
    finally:
        demo.close()


@pytest.fixture
def issuer() -> Iterator[Issuer]:
    with running_issuer() as issuer:
        gr.oidc.configure(issuer=issuer.url, client_id=CLIENT_ID, client_secret=CLIENT_SECRET,
                          name="Test ID")
        try:
            yield issuer
        finally:
            gr.oidc.configure()


def test_a_login_button_sign_in_opens_a_login_only_event(issuer: Issuer) -> None:
    demo = app()
    _, url = launch(demo)
    issuer.redirect_uris.add(url + "/login/callback")
    try:
        with httpx.Client(timeout=30, follow_redirects=True) as browser:
            refused = browser.post(f"{url}{P}/run/members", json={"data": ["hi"]})
            assert refused.status_code == 401
            browser.get(url + "/login/oidc")  # to the issuer, approved, and back
            ran = browser.post(f"{url}{P}/run/members", json={"data": ["hi"]})
            assert ran.status_code == 200 and ran.json()["data"] == ["members hi"]
            # Signed out again: refused again.
            browser.post(url + "/logout")
            assert browser.post(f"{url}{P}/run/members",
                                json={"data": ["hi"]}).status_code == 401
    finally:
        demo.close()


def test_an_optional_login_keeps_the_app_public_and_opens_login_only_events() -> None:
    demo = app()
    _, url = launch(demo, auth=("ada", "lovelace"), login_optional=True)
    try:
        with httpx.Client() as visitor:
            config = visitor.get(url + "/config").json()
            assert config["username"] is None and config["porch_login"] is True
            public = visitor.post(f"{url}{P}/run/public", json={"data": ["hi"]})
            assert public.status_code == 200 and public.json()["data"] == ["public hi"]
            assert visitor.post(f"{url}{P}/run/members",
                                json={"data": ["hi"]}).status_code == 401
            # The document says which endpoints need the login, and how to get it.
            spec = visitor.get(f"{url}{P}/openapi.json").json()
            assert "security" not in spec and "session" in spec["components"]["securitySchemes"]
            assert spec["paths"][f"{P}/run/members"]["post"]["security"] == [{"session": []}]
            assert "security" not in spec["paths"][f"{P}/run/public"]["post"]
            assert "401" not in spec["paths"][f"{P}/run/public"]["post"]["responses"]
            # Wrong password: still refused; the right one opens the event.
            wrong = visitor.post(url + "/login", data={"username": "ada", "password": "x"})
            assert wrong.status_code == 401
            visitor.post(url + "/login", data={"username": "ada", "password": "lovelace"})
            ran = visitor.post(f"{url}{P}/run/members", json={"data": ["hi"]})
            assert ran.status_code == 200 and ran.json()["data"] == ["members hi"]
            config = visitor.get(url + "/config").json()
            assert config["username"] == "ada" and config["porch_login"] is False
    finally:
        demo.close()


def test_an_optional_login_needs_someone_who_may_log_in() -> None:
    with pytest.raises(ConfigError, match="login_optional=True needs auth="):
        Settings.build(login_optional=True, environ={})
