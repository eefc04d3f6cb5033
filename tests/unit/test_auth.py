"""Login building blocks: credentials, sessions, the open list (the brake has its own file,
test_login_brake.py)."""

from __future__ import annotations

import asyncio
import hmac
import threading

import pytest

from porch.errors import ConfigError
from porch.server import auth as auth_module
from porch.server.auth import (
    Auth,
    AuthGate,
    Credentials,
    Sessions,
    is_open,
    route_path,
)
from porch.server.settings import Settings


def verify(credentials: Credentials, username: str, password: str) -> bool:
    return asyncio.run(credentials.verify(username, password))


@pytest.mark.parametrize("option", [("ann", "pw"), [("ann", "pw"), ("bob", "pw2")],
                                    [["ann", "pw"]], (("bob", "x"), ("ann", "pw"))])
def test_fixed_pairs(option: object) -> None:
    credentials = Credentials(option)  # type: ignore[arg-type]
    assert verify(credentials, "ann", "pw")
    assert not verify(credentials, "ann", "pw ")
    assert not verify(credentials, "ann", "")
    assert not verify(credentials, "", "pw")
    assert not verify(credentials, "Ann", "pw")


def test_pairs_do_not_mix() -> None:
    credentials = Credentials([("ann", "a"), ("bob", "b")])
    assert verify(credentials, "bob", "b") and not verify(credentials, "bob", "a")


@pytest.mark.parametrize("bad", [(), [], ("ann",), [("ann", 1)], "annpw", [("a", "b", "c")]])
def test_bad_auth_option_is_a_clear_error(bad: object) -> None:
    with pytest.raises(ConfigError, match="auth= takes"):
        Credentials(bad)  # type: ignore[arg-type]


def test_passwords_are_compared_in_constant_time_on_hashes(
        monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        seen.append((a, b))
        return real(a, b)

    monkeypatch.setattr(auth_module.hmac, "compare_digest", spy)
    credentials = Credentials([("ann", "secret-1"), ("bob", "secret-2")])
    for username, password in [("ann", "secret-1"), ("nobody", "x"), ("bob", "wrong")]:
        seen.clear()
        verify(credentials, username, password)
        # Every pair is compared, username and password, whatever matched or not ...
        assert len(seen) == 4
        # ... as fixed-length digests, never the plain text.
        for a, b in seen:
            assert len(a) == len(b) == 32
            assert password.encode() not in (a, b)


def test_function_auth_runs_off_the_event_loop() -> None:
    threads: list[str] = []

    def check(username: str, password: str) -> bool:
        threads.append(threading.current_thread().name)
        return username == "ann" and password == "pw"

    credentials = Credentials(check)
    assert verify(credentials, "ann", "pw") and not verify(credentials, "ann", "no")
    assert threading.main_thread().name not in threads


def test_async_function_auth_and_a_raising_one_fails_closed() -> None:
    async def check(username: str, password: str) -> bool:
        return password == "pw"

    def broken(username: str, password: str) -> bool:
        raise RuntimeError("database down")

    assert verify(Credentials(check), "x", "pw")
    assert not verify(Credentials(broken), "ann", "pw")


def test_both_auth_and_dependency_is_refused() -> None:
    with pytest.raises(ConfigError, match="not both"):
        Settings.build(auth=("a", "b"), auth_dependency=lambda request: "x", environ={})
    assert Settings.build(environ={}).auth is None


def test_sessions_open_find_close_and_stay_bounded() -> None:
    sessions = Sessions(limit=3)
    first = sessions.open("ann")
    second = sessions.open("ann")
    bob = sessions.open("bob")
    assert first != second and len(first) >= 40
    assert sessions.user(first) == "ann" and sessions.user(bob) == "bob"
    sessions.close(first)
    assert sessions.user(first) is None and sessions.user(second) == "ann"
    sessions.close_user("ann")
    assert sessions.user(second) is None and sessions.user(bob) == "bob"
    tokens = [sessions.open(f"u{i}") for i in range(10)]
    assert len(sessions) == 3 and sessions.user(tokens[-1]) == "u9"
    assert sessions.user(tokens[0]) is None  # the oldest went first


@pytest.mark.parametrize(("method", "path", "expected"), [
    ("GET", "/", True), ("HEAD", "/", True), ("POST", "/", False),
    ("GET", "/assets/porch.js", True), ("GET", "/assets/", True), ("POST", "/assets/x", False),
    ("GET", "/assets", False), ("GET", "/assetsx", False),
    ("POST", "/login", True), ("GET", "/login", False), ("POST", "/login/", False),
    ("GET", "/logout", True), ("POST", "/logout", True),
    ("GET", "/config", False), ("GET", "", False), ("GET", "//", False),
    ("GET", "/gradio_api/file=x", False), ("POST", "/gradio_api/upload", False),
    ("WEBSOCKET", "/", False),
])
def test_the_open_list(method: str, path: str, expected: bool) -> None:
    assert is_open(method, path) is expected


@pytest.mark.parametrize(("path", "root", "expected"), [
    ("/config", "", "/config"), ("/demo/config", "/demo", "/config"), ("/demo", "/demo", ""),
    ("/demox/config", "/demo", "/demox/config"), ("/other", "/demo", "/other"),
])
def test_route_path(path: str, root: str, expected: str) -> None:
    assert route_path({"path": path, "root_path": root}) == expected


def test_cookie_names_differ_per_app() -> None:
    # Cookies ignore ports: two apps on one host must not overwrite each other's session.
    first, second = (Auth(credentials=Credentials(("a", "b"))) for _ in range(2))
    assert first.cookie_name != second.cookie_name


def test_the_gate_closes_websockets_without_a_session() -> None:
    reached: list[str] = []
    sent: list[dict[str, object]] = []

    async def inner(scope: object, receive: object, send: object) -> None:
        reached.append("inner")

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    gate = AuthGate(inner, auth=Auth(credentials=Credentials(("a", "b"))))  # type: ignore[arg-type]
    scope = {"type": "websocket", "path": "/", "root_path": "", "headers": []}
    asyncio.run(gate(scope, None, send))  # type: ignore[arg-type]
    assert reached == [] and sent == [{"type": "websocket.close", "code": 1008}]
    asyncio.run(gate({"type": "lifespan"}, None, send))  # type: ignore[arg-type]
    assert reached == ["inner"]
