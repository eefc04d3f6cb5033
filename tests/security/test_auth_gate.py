"""Login over HTTP: default deny on every route, cookies, logout, the brake, outside identity.

The route walk is built from the served app's own route table, so a route added later is
covered without anyone remembering to add it here.
"""

from __future__ import annotations

import asyncio
import functools
import re
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Mount, Route
from starlette.types import Receive, Scope, Send

import porch as gr
from porch.server.app import create_app
from porch.server.auth import is_open
from porch.server.brake import MemoryLoginBrake
from porch.server.settings import Settings
from tests.conftest import free_port

USER, PASSWORD = "ann", "s3cret-pw"
Launch = Callable[..., tuple[Starlette, str]]


def demo_app() -> gr.Blocks:
    with gr.Blocks() as demo:
        name, out = gr.Textbox(), gr.Textbox()
        gr.State(0)
        gr.Button().click(lambda x: f"hi {x}", name, out, api_name="greet")
    return demo


@pytest.fixture
def launch(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch,
           ) -> Iterator[Launch]:
    monkeypatch.setenv("PORCH_TEMP_DIR", str(tmp_path_factory.mktemp("cache")))
    launched: list[gr.Blocks] = []

    def start(demo: gr.Blocks | None = None, **options: Any) -> tuple[Starlette, str]:
        demo = demo or demo_app()
        options.setdefault("auth", (USER, PASSWORD))
        app, url, _ = demo.launch(prevent_thread_lock=True, quiet=True,
                                  server_port=free_port(), **options)
        launched.append(demo)
        return app, url

    yield start
    for demo in launched:
        demo.close()


def log_in(url: str, username: str = USER, password: str = PASSWORD,
           **headers: str) -> httpx.Response:
    return httpx.post(url + "/login", data={"username": username, "password": password},
                      headers=headers)


def concrete(path: str) -> str:
    """A request path for a route template."""
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: {"path": "x.txt"}.get(m.group(1), "x"), path)


def route_requests(app: Starlette) -> list[tuple[str, str]]:
    """(method, path) for every route of the table, plus a method each route does not take."""
    requests: list[tuple[str, str]] = []
    for route in app.routes:
        if isinstance(route, Route):
            path = concrete(route.path)
            requests += [(method, path) for method in sorted(route.methods or {"GET"})]
            requests.append(("DELETE", path))
        elif isinstance(route, Mount):
            requests += [("GET", route.path + "/porch.js"), ("POST", route.path + "/porch.js")]
        else:  # pragma: no cover - a new kind of route must be thought about here
            raise AssertionError(f"unknown route type {route!r}")
    return requests


def status_of(client: httpx.Client, method: str, url: str) -> int:
    # Streaming routes never end by themselves: read the status line and hang up.
    with client.stream(method, url, timeout=10) as response:
        return response.status_code


def test_every_route_but_the_open_list_needs_a_session(launch: Launch) -> None:
    app, url = launch()
    requests = route_requests(app)
    assert len(requests) > 40
    opened = set()
    with httpx.Client() as anonymous:
        for method, path in requests:
            status = status_of(anonymous, method, url + path)
            if is_open(method, path):
                opened.add(path)
                assert status != 401, (method, path)
            else:
                assert status == 401, (method, path, status)
    assert opened == {"/", "/assets/porch.js", "/login", "/logout"}
    with httpx.Client(cookies=log_in(url).cookies) as member:
        for method, path in requests:
            if path == "/logout" or path.endswith("/upload_progress"):
                continue  # ends the session the walk uses / waits 3 s for an upload
            assert status_of(member, method, url + path) != 401, (method, path)


def test_unknown_paths_and_websockets_need_a_session(launch: Launch) -> None:
    _, url = launch()
    for path in ("/nope", "/monitoring", "/gradio_api/nope", "/assets", "/config/../config",
                 "/login/", "/%2e%2e/config", "//config"):
        assert httpx.get(url + path).status_code == 401, path


class Reached(Exception):
    pass


@functools.cache
def guarded_app(root_path: str = "") -> Starlette:
    """The real app, with every protected route's handler replaced by a tripwire."""
    app = create_app(demo_app(), Settings.build(auth=(USER, PASSWORD), root_path=root_path,
                                                environ={}))

    async def tripwire(scope: Scope, receive: Receive, send: Send) -> None:
        raise Reached(f"{scope['method']} {scope['path']}")

    for route in app.routes:
        if isinstance(route, Route) and not any(is_open(m, route.path)
                                                for m in route.methods or ()):
            route.app = tripwire
    return app


async def call(app: Starlette, method: str, path: str,
               headers: list[tuple[bytes, bytes]]) -> int:
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": method, "scheme": "http", "path": path,
             "raw_path": path.encode("utf-8", "surrogateescape"), "root_path": "",
             "query_string": b"", "headers": [(b"host", b"127.0.0.1:7860"), *headers],
             "client": ("127.0.0.1", 5555), "server": ("127.0.0.1", 7860)}
    statuses: list[int] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    await app(scope, receive, send)
    return statuses[0]


SEGMENTS = st.sampled_from(["", ".", "..", "%2e%2e", "config", "gradio_api", "file=x", "upload",
                            "queue", "join", "data", "assets", "login", "logout", "info",
                            "apps", "demo", "call", "greet", "heartbeat", "x", "porch.js"])
PATHS = st.lists(st.one_of(SEGMENTS, st.text(max_size=6)), min_size=0, max_size=6).map(
    lambda parts: "/" + "/".join(parts))
METHODS = st.sampled_from(["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "get"])
COOKIES = st.sampled_from([[], [(b"cookie", b"porch-session-00000000=forged")],
                           [(b"cookie", b"access-token=x; porch-session=y")]])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(method=METHODS, path=PATHS, prefixed=st.booleans(), cookies=COOKIES)
# Found by a run: the open `POST /logout` answers 303 (to the login page), which the set of
# answers below did not know.
@example(method="POST", path="/logout", prefixed=False, cookies=[])
@example(method="POST", path="/logout", prefixed=True, cookies=[])
def test_no_request_reaches_a_protected_handler_without_a_session(
        method: str, path: str, prefixed: bool, cookies: list[tuple[bytes, bytes]]) -> None:
    app = guarded_app("/apps/demo" if prefixed else "")
    if prefixed:
        path = "/apps/demo" + path
    status = asyncio.run(call(app, method, path, cookies))  # Reached would fail the test
    if method == "POST" and path == ("/apps/demo" if prefixed else "") + "/logout":
        assert status == 303  # logging out is open, and redirects as a POST's answer should
    else:
        assert status in (200, 302, 304, 307, 400, 401, 403, 404, 405, 415)


def test_the_tripwire_trips_with_a_session() -> None:
    # Proof that the property above would notice a protected handler being reached.
    app = guarded_app()
    auth = app.state.runtime.settings.auth
    token = auth.sessions.open(USER)
    cookie = [(b"cookie", f"{auth.cookie_name}={token}".encode())]
    with pytest.raises(Reached):
        asyncio.run(call(app, "GET", "/config", cookie))


def test_login_cookie_flags_and_config_username(launch: Launch) -> None:
    _, url = launch(auth=[(USER, PASSWORD), ("bob", "pw")])
    response = log_in(url, username=f"  {USER} ")  # usernames are stripped, as in Gradio
    assert response.status_code == 200 and response.json() == {"success": True}
    session, device = response.headers.get_list("set-cookie")
    assert re.match(r"porch-session-[0-9a-f]{8}=[\w-]{40,};", session)
    flags = {part.strip().lower() for part in session.split(";")[1:]}
    assert {"httponly", "path=/", "samesite=lax"} <= flags
    assert "secure" not in flags  # plain http: a Secure cookie would never come back
    assert not any(flag.startswith(("max-age", "expires")) for flag in flags)
    # The device cookie (a browser that logged in before): long-lived, never sent cross-site.
    assert re.match(r"porch-device-[0-9a-f]{8}=[\w-]+\.[0-9a-f]{64};", device)
    flags = {part.strip().lower() for part in device.split(";")[1:]}
    assert {"httponly", "path=/", "samesite=strict", f"max-age={30 * 24 * 3600}"} <= flags
    config = httpx.get(url + "/config", cookies=response.cookies).json()
    assert config["username"] == USER
    assert config["porch_logout"] is True  # the page shows its "Log out" control


def test_wrong_credentials_answer_401(launch: Launch) -> None:
    _, url = launch()
    assert httpx.post(url + "/login", json={"username": USER, "password": PASSWORD}
                      ).status_code == 400  # a form, not JSON
    assert httpx.post(url + "/login", content=b"a=" + b"x" * 20000, headers={
        "content-type": "application/x-www-form-urlencoded"}).status_code == 400
    for username, password in [(USER, "nope"), ("nobody", PASSWORD), ("", ""), (USER, "")]:
        response = log_in(url, username, password)
        assert response.status_code == 401
        assert "set-cookie" not in response.headers


def test_the_401_carries_the_auth_message(launch: Launch) -> None:
    _, url = launch(auth_message="Ask Ann for the password.")
    body = httpx.get(url + "/config").json()
    assert body == {"detail": {"error": "Not authenticated",
                               "auth_message": "Ask Ann for the password."}}


def test_cross_site_login_is_refused(launch: Launch) -> None:
    _, url = launch()
    assert log_in(url, Origin="https://evil.example").status_code == 403


def test_secure_cookie_and_prefixed_path_behind_an_https_proxy(launch: Launch) -> None:
    _, url = launch(trusted_proxies=["127.0.0.1"], root_path="/apps/demo")
    response = log_in(url, **{"X-Forwarded-Proto": "https", "X-Forwarded-Host": "x.example"})
    for cookie in response.headers.get_list("set-cookie"):
        flags = {part.strip().lower() for part in cookie.split(";")[1:]}
        assert {"secure", "httponly", "path=/apps/demo/"} <= flags


def test_logout_ends_this_session_or_all(launch: Launch) -> None:
    _, url = launch()
    first, second, third = (log_in(url).cookies for _ in range(3))
    response = httpx.post(url + "/logout", cookies=first)
    assert response.status_code == 303 and response.headers["location"] == "./"
    assert "max-age=0" in response.headers["set-cookie"].lower()
    assert httpx.get(url + "/config", cookies=first).status_code == 401
    assert httpx.get(url + "/config", cookies=second).status_code == 200
    httpx.post(url + "/logout?all_session=true", cookies=second)
    assert httpx.get(url + "/config", cookies=second).status_code == 401
    assert httpx.get(url + "/config", cookies=third).status_code == 401


@pytest.mark.parametrize("query", ["", "?all_session=true"])
def test_get_logout_logs_nobody_out(launch: Launch, query: str) -> None:
    _, url = launch()
    cookies = log_in(url).cookies
    page = httpx.get(url + "/logout" + query, cookies=cookies, headers={"accept": "text/html"})
    assert page.status_code == 200 and "set-cookie" not in page.headers
    assert '<form class="porch-login" method="post" action="./logout' in page.text
    assert ("all_session=true" in page.text) is bool(query)
    assert page.headers["referrer-policy"] == "same-origin"
    api = httpx.get(url + "/logout" + query, cookies=cookies)
    assert api.status_code == 405 and api.headers["allow"] == "POST"
    assert api.json() == {"detail": "Log out with POST /logout."}
    assert httpx.get(url + "/config", cookies=cookies).status_code == 200


def test_cross_site_logout_is_refused(launch: Launch) -> None:
    _, url = launch()
    cookies = log_in(url).cookies
    for headers in ({"Origin": "https://evil.example"}, {"Origin": "null"},
                    {"Sec-Fetch-Site": "cross-site"}):
        response = httpx.post(url + "/logout?all_session=true", cookies=cookies,
                              headers=headers)
        assert response.status_code == 403 and "set-cookie" not in response.headers
    assert httpx.get(url + "/config", cookies=cookies).status_code == 200
    same_origin = httpx.post(url + "/logout", cookies=cookies, headers={"Origin": url})
    assert same_origin.status_code == 303
    assert httpx.get(url + "/config", cookies=cookies).status_code == 401


@pytest.mark.parametrize("query", ["?next=https://evil.example", "?_target_url=//evil.example",
                                   "?_target_url=/\\evil.example", "?url=https:evil"])
def test_logout_never_redirects_elsewhere(launch: Launch, query: str) -> None:
    _, url = launch()
    assert httpx.post(url + "/logout" + query).headers["location"] == "./"
    page = httpx.get(url + "/logout" + query, headers={"accept": "text/html"}).text
    assert "evil" not in page


def test_repeated_failures_are_slowed_down_per_user_and_address(launch: Launch) -> None:
    # Long delays, so that the slowest machine is still inside the first one.
    _, url = launch(trusted_proxies=["127.0.0.1"],
                    login_brake=MemoryLoginBrake(first_delay=600, max_delay=3600))
    attacker = {"X-Forwarded-For": "203.0.113.7"}
    for _ in range(3):
        assert log_in(url, password="guess", **attacker).status_code == 401
    blocked = log_in(url, password="guess", **attacker)
    assert blocked.status_code == 429 and 500 < int(blocked.headers["retry-after"]) <= 600
    assert blocked.json()["detail"].startswith("Too many failed logins for this user name")
    # While blocked, even the right password is not checked ...
    assert log_in(url, **attacker).status_code == 429
    # ... and other addresses are not affected.
    assert log_in(url, **{"X-Forwarded-For": "198.51.100.2"}).status_code == 200


def test_auth_function(launch: Launch) -> None:
    _, url = launch(auth=lambda username, password: password == username[::-1])
    assert log_in(url, "abc", "cba").status_code == 200
    assert log_in(url, "abc", "abc").status_code == 401


def test_auth_dependency_takes_the_user_from_the_request(launch: Launch) -> None:
    def from_proxy(request: Request) -> str | None:
        return request.headers.get("x-remote-user")

    _, url = launch(auth=None, auth_dependency=from_proxy)
    assert httpx.get(url + "/config").status_code == 401
    config = httpx.get(url + "/config", headers={"X-Remote-User": "carol"})
    assert config.status_code == 200 and config.json()["username"] == "carol"
    assert config.json()["porch_logout"] is False  # the proxy's identity is not ours to end
    assert httpx.get(url + "/").status_code == 200
    # There is no password login to try.
    assert log_in(url).status_code == 302


def test_async_auth_dependency_and_a_raising_one(launch: Launch) -> None:
    async def allow(request: Request) -> str | None:
        return "dan" if request.url.path.endswith("/config") else None

    def broken(request: Request) -> str | None:
        raise RuntimeError("identity provider down")

    _, url = launch(auth=None, auth_dependency=allow)
    assert httpx.get(url + "/config").json()["username"] == "dan"
    assert httpx.get(url + "/gradio_api/info").status_code == 401
    _, url = launch(auth=None, auth_dependency=broken)
    assert httpx.get(url + "/config").status_code == 401


def test_an_uploaded_file_is_not_served_without_the_session(launch: Launch) -> None:
    _, url = launch()
    cookies = log_in(url).cookies
    uploaded = httpx.post(url + "/gradio_api/upload", cookies=cookies,
                          files={"files": ("a.txt", b"private")}).json()[0]
    file_url = f"{url}/gradio_api/file={uploaded}"
    assert httpx.get(file_url, cookies=cookies).content == b"private"
    response = httpx.get(file_url)
    assert response.status_code == 401 and b"private" not in response.content


def test_functions_see_the_logged_in_user(launch: Launch) -> None:
    def whoami(text: str, request: gr.Request) -> str:
        return f"{request.username}:{text}"

    with gr.Blocks() as demo:
        text, out = gr.Textbox(), gr.Textbox()
        gr.Button().click(whoami, text, out, api_name="whoami")
    _, url = launch(demo, auth=[(USER, PASSWORD), ("bob", "pw")])
    for username, password in [(USER, PASSWORD), ("bob", "pw")]:
        with httpx.Client(cookies=log_in(url, username, password).cookies) as http:
            event = http.post(url + "/gradio_api/call/whoami", json={"data": ["x"]}).json()
            stream = http.get(f"{url}/gradio_api/call/whoami/{event['event_id']}").text
        assert f'["{username}:x"]' in stream
