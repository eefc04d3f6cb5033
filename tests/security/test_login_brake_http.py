"""The login brake over HTTP, on a real server: parallel guesses are not all checked, one
guessed name does not lock out the other users of a shared address (a share link's
127.0.0.1), the backoff grows and is capped, and a browser that logged in before keeps getting
in while someone sprays names from its address.

The brake runs on a clock the test moves, so waiting out a backoff takes no time."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import porch as gr
from porch.server.auth import Devices
from porch.server.brake import MemoryLoginBrake
from tests.conftest import free_port

USERS = {"admin": "admin-pw", "alice": "alice-pw", "bob": "bob-pw"}
Launch = Callable[..., str]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Checks:
    """An `auth=` function that records every (user, password) it is asked to check."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []
        self.lock = threading.Lock()

    def __call__(self, username: str, password: str) -> bool:
        with self.lock:
            self.calls.append((username, password))
        return USERS.get(username) == password

    def of(self, username: str) -> int:
        with self.lock:
            return sum(user == username for user, _ in self.calls)


@pytest.fixture
def launch(tmp_path_factory: pytest.TempPathFactory,
           monkeypatch: pytest.MonkeyPatch) -> Iterator[Launch]:
    monkeypatch.setenv("PORCH_TEMP_DIR", str(tmp_path_factory.mktemp("cache")))
    launched: list[gr.Blocks] = []

    def start(**options: Any) -> str:
        with gr.Blocks() as demo:
            gr.Textbox()
        _, url, _ = demo.launch(prevent_thread_lock=True, quiet=True,
                                server_port=free_port(), **options)
        launched.append(demo)
        return url

    yield start
    for demo in launched:
        demo.close()


def log_in(url: str, username: str, password: str,
           client: httpx.Client | None = None) -> httpx.Response:
    post = client.post if client is not None else httpx.post
    return post(url + "/login", data={"username": username, "password": password})


async def fire(url: str, count: int, username: str) -> list[httpx.Response]:
    """`count` wrong logins for `username` at once, each on its own connection."""
    limits = httpx.Limits(max_connections=count, max_keepalive_connections=0)
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:
        return await asyncio.gather(*(
            client.post(url + "/login", data={"username": username, "password": f"guess{i}"})
            for i in range(count)))


@pytest.mark.parametrize("kind", ["async", "thread"])
def test_200_parallel_wrong_logins_are_not_all_checked(launch: Launch, kind: str) -> None:
    # Each check holds until every request is either answered or being checked, so the
    # checks overlap as much as the server lets them; a brake that only looked before
    # checking would let all 200 in.
    checks, release = Checks(), threading.Event()

    def held(username: str, password: str) -> bool:
        checks(username, password)
        release.wait(timeout=30)
        return False

    async def held_async(username: str, password: str) -> bool:
        checks(username, password)
        deadline = time.monotonic() + 30
        while not release.is_set() and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        return False

    url = launch(auth=held_async if kind == "async" else held)
    answered: list[httpx.Response] = []

    async def attack() -> list[httpx.Response]:
        async def one(client: httpx.AsyncClient, i: int) -> httpx.Response:
            response = await client.post(url + "/login",
                                         data={"username": "admin", "password": f"guess{i}"})
            answered.append(response)
            return response

        async def releaser() -> None:
            deadline = time.monotonic() + 30
            while len(answered) + len(checks.calls) < 200 and time.monotonic() < deadline:
                await asyncio.sleep(0.01)
            release.set()

        limits = httpx.Limits(max_connections=200, max_keepalive_connections=0)
        async with httpx.AsyncClient(limits=limits, timeout=90) as client:
            results = await asyncio.gather(releaser(), *(one(client, i) for i in range(200)))
        return list(results[1:])

    responses = asyncio.run(attack())
    statuses = [r.status_code for r in responses]
    assert len(checks.calls) == 3  # the free checks, and not one more
    assert statuses.count(401) == 3 and statuses.count(429) == 197
    for response in responses:
        if response.status_code == 429:
            assert int(response.headers["retry-after"]) >= 1
            assert "try again in" in response.json()["detail"]


def test_a_hammered_name_does_not_lock_out_the_others_at_that_address(launch: Launch) -> None:
    clock, checks = Clock(), Checks()
    url = launch(auth=checks, login_brake=MemoryLoginBrake(clock=clock))
    statuses = [r.status_code for r in asyncio.run(fire(url, 200, "admin"))]
    statuses += [log_in(url, "admin", f"again{i}").status_code for i in range(20)]
    assert checks.of("admin") == 3 and statuses.count(429) == 217
    # Spellings of one name share its budget.
    assert log_in(url, "ADMIN", "guess").status_code == 429
    # The real admin is held off too, until the backoff runs out ...
    blocked = log_in(url, "admin", USERS["admin"])
    assert blocked.status_code == 429 and checks.of("admin") == 3
    # ... but alice, from the same 127.0.0.1, is checked and gets in.
    assert log_in(url, "alice", "typo").status_code == 401
    alice = log_in(url, "alice", USERS["alice"])
    assert alice.status_code == 200
    assert httpx.get(url + "/config", cookies=alice.cookies).json()["username"] == "alice"
    clock.now += int(blocked.headers["retry-after"])
    admin = log_in(url, "admin", USERS["admin"])
    assert admin.status_code == 200 and checks.of("admin") == 4
    assert httpx.get(url + "/config", cookies=admin.cookies).json()["username"] == "admin"
    # A success starts the count over: three checks again before any wait.
    assert [log_in(url, "admin", "x").status_code for _ in range(4)] == [401, 401, 401, 429]


def test_the_backoff_grows_and_is_capped(launch: Launch) -> None:
    clock, checks = Clock(), Checks()
    url = launch(auth=checks, login_brake=MemoryLoginBrake(clock=clock))
    waits: list[int] = []
    while len(checks.calls) < 12:
        response = log_in(url, "admin", "guess")
        if response.status_code == 429:
            waits.append(int(response.headers["retry-after"]))
            clock.now += waits[-1]  # the guesser waits exactly as told
        else:
            assert response.status_code == 401
    assert waits == [1, 2, 4, 8, 16, 32, 60, 60, 60]


def test_a_name_sprayer_is_held_to_the_address_budget(launch: Launch) -> None:
    clock, checks = Clock(), Checks()
    url = launch(auth=checks,
                 login_brake=MemoryLoginBrake(address_budget=10, address_refill=30, clock=clock))
    with httpx.Client() as browser:  # alice's browser keeps its cookies
        assert log_in(url, "alice", USERS["alice"], browser).status_code == 200
        sprayed = [log_in(url, f"user{i}", "Summer2026!").status_code for i in range(40)]
        assert sprayed.count(401) == 10 and sprayed.count(429) == 30
        refused = log_in(url, "bob", USERS["bob"])  # a fresh browser shares the address
        assert refused.status_code == 429
        assert "network address" in refused.json()["detail"]
        assert 1 <= int(refused.headers["retry-after"]) <= 30
        # A browser that logged in before is braked by its device, not by the address.
        assert log_in(url, "alice", USERS["alice"], browser).status_code == 200
        # Its device cookie proves nothing for another name.
        assert log_in(url, "bob", USERS["bob"], browser).status_code == 429
        assert len(checks.calls) == 12
    clock.now += 30
    assert log_in(url, "bob", USERS["bob"]).status_code == 200


def test_a_forged_device_cookie_is_no_exemption(launch: Launch) -> None:
    clock, checks = Clock(), Checks()
    url = launch(auth=checks,
                 login_brake=MemoryLoginBrake(address_budget=1, address_refill=30, clock=clock))
    first = log_in(url, "alice", USERS["alice"])
    name = next(n for n in first.cookies if n.startswith("porch-device-"))
    nonce = first.cookies[name].split(".")[0]
    for forged in (f"{nonce}.{'0' * 64}", "x", "", f"{nonce}.", first.cookies[name]):
        with httpx.Client(cookies={name: forged}) as client:
            log_in(url, "mallory", "guess", client)
    # alice's login (its check given back), then one guess: the address's budget of one.
    # Accepted as a device, the cookies would have bought mallory three checks of his own.
    assert len(checks.calls) == 2


def test_an_auth_function_that_raises_spends_the_attempt(launch: Launch) -> None:
    calls: list[str] = []

    def broken(username: str, password: str) -> bool:
        calls.append(username)
        raise RuntimeError("the user database is down")

    url = launch(auth=broken, login_brake=MemoryLoginBrake(first_delay=600))
    statuses = [log_in(url, "admin", "pw").status_code for _ in range(5)]
    assert statuses == [401, 401, 401, 429, 429] and len(calls) == 3


def test_a_device_cookie_with_non_ascii_characters_is_refused_not_a_crash(
        launch: Launch) -> None:
    # Regression: compare_digest on str raised TypeError for non-ASCII text: a 500 per try.
    checks = Checks()
    url = launch(auth=checks)
    first = log_in(url, "alice", USERS["alice"])
    name = next(n for n in first.cookies if n.startswith("porch-device-"))
    nonce = first.cookies[name].split(".")[0]
    cookie = f"{name}={nonce}.\u00e9\u00e9".encode("latin-1")
    response = httpx.post(url + "/login", headers={b"cookie": cookie},
                          data={"username": "alice", "password": "wrong"})
    assert response.status_code == 401
    assert log_in(url, "alice", USERS["alice"]).status_code in (200, 303)


@settings(max_examples=200, deadline=None)
@given(token=st.text(), user=st.text())
def test_devices_refuse_any_token_they_did_not_issue_without_raising(token: str,
                                                                     user: str) -> None:
    devices = Devices()
    assert devices.source(token, user) is None
    issued = devices.issue(user)
    assert devices.source(issued, user) == f"device:{issued.split('.')[0]}"
    assert devices.source(issued, user + "x") is None
