"""`launch(login_optional=True)` as a property of the gate: a request without a live session
goes on anonymous (no user name in its scope), whatever cookie it makes up; a real session
names its user. Anonymous then reaches a login-only event only to be refused."""

from __future__ import annotations

import asyncio
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.types import Receive, Scope, Send

from porch.server.auth import USERNAME_KEY, Auth, AuthGate, Credentials

AUTH = Auth(credentials=Credentials(("ada", "lovelace")), optional=True)
seen: list[Any] = []


async def inner(scope: Scope, receive: Receive, send: Send) -> None:
    seen.append(scope.get(USERNAME_KEY))
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b""})


GATE = AuthGate(inner, auth=AUTH)


def through(path: str, cookie: str | None) -> tuple[int, Any]:
    headers = [(b"cookie", cookie.encode("latin-1"))] if cookie is not None else []
    scope = {"type": "http", "method": "POST", "path": path, "root_path": "",
             "headers": headers, "query_string": b""}
    statuses: list[int] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    seen.clear()
    asyncio.run(GATE(scope, receive, send))
    return statuses[0], seen[0] if seen else "not reached"


@settings(max_examples=150, deadline=None)
@given(path=st.sampled_from(["/config", "/gradio_api/run/x", "/gradio_api/upload", "/x"]),
       value=st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126,
                                            exclude_characters=";,"), max_size=60))
def test_a_made_up_session_cookie_stays_anonymous(path: str, value: str) -> None:
    status, user = through(path, f"{AUTH.cookie_name}={value}")
    assert status == 200 and user is None


def test_a_real_session_names_its_user_and_none_is_anonymous() -> None:
    token = AUTH.sessions.open("ada")
    assert through("/config", f"{AUTH.cookie_name}={token}") == (200, "ada")
    assert through("/config", None) == (200, None)
    AUTH.sessions.close(token)
    assert through("/config", f"{AUTH.cookie_name}={token}") == (200, None)
