"""Sessions under hostile clients: floods of fresh session hashes, foreign heartbeats, unload.

A real server; the victim is a client that holds a cookie (as every browser, gradio_client
and porch.Client does after loading the app), keeps its heartbeat open and has State.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import porch as gr
from porch.errors import InvalidRequest
from porch.queue.sessions import MemoryStateStore, SessionBudget


class App:
    def __init__(self) -> None:
        self.unloads: list[int] = []
        with gr.Blocks() as demo:
            memory = gr.State("")
            text, out = gr.Textbox(), gr.Textbox()

            def remember(value: str, held: str) -> tuple[str, str]:
                held = held + value
                return held[-20:], held

            gr.Button().click(remember, [text, memory], [out, memory], api_name="remember")
            demo.unload(lambda: self.unloads.append(1))
        self.demo = demo


def join(client: httpx.Client, url: str, session: str, value: str) -> httpx.Response:
    return client.post(url + "/gradio_api/run/remember",
                       json={"data": [value], "session_hash": session}, timeout=30)


OPEN_CLIENTS: list[httpx.Client] = []


@pytest.fixture(autouse=True)
def _close_clients() -> Iterator[None]:
    yield
    while OPEN_CLIENTS:
        OPEN_CLIENTS.pop().close()


def cookied(url: str) -> httpx.Client:
    client = httpx.Client(timeout=30)
    OPEN_CLIENTS.append(client)
    assert client.get(url + "/config").status_code == 200  # hands out the client cookie
    assert any(name.startswith("porch-client-") for name in client.cookies)
    return client


@contextmanager
def heartbeat(client: httpx.Client, url: str, session: str) -> Iterator[None]:
    """Hold the session's heartbeat stream open (as a page does) for the block's duration."""
    with client.stream("GET", f"{url}/gradio_api/heartbeat/{session}") as stream:
        assert stream.status_code == 200
        # Keep the iterator: dropping it closes the generator, and with it the connection,
        # which ends the heartbeat a moment later (the page would look gone).
        frames = stream.iter_bytes()
        next(frames)  # the first ALIVE: the server counts the page as there
        yield
    # Leaving the `with` closes the connection: the page is gone.


async def flood(url: str, count: int, *, cookies: int = 0) -> list[int]:
    """`count` fresh session hashes from one address, with no cookie or rotating ones."""
    statuses: list[int] = []
    limit = asyncio.Semaphore(16)
    clients = [httpx.AsyncClient(timeout=60) for _ in range(max(cookies, 1))]
    try:
        if cookies:
            for client in clients:
                await client.get(url + "/config")  # each its own client cookie

        async def one(client: httpx.AsyncClient) -> None:
            async with limit:
                response = await client.post(
                    url + "/gradio_api/run/remember",
                    json={"data": ["x"], "session_hash": uuid.uuid4().hex})
                statuses.append(response.status_code)

        await asyncio.gather(*(one(clients[i % len(clients)]) for i in range(count)))
    finally:
        for client in clients:
            await client.aclose()
    return statuses


def test_a_flood_of_fresh_sessions_evicts_no_live_user(serve: Callable[..., str]) -> None:
    app = App()
    url = serve(app.demo)
    victim = cookied(url)
    session = uuid.uuid4().hex
    with heartbeat(victim, url, session):
        assert join(victim, url, session, "keep-me").json()["data"][0] == "keep-me"
        started = time.monotonic()
        statuses = asyncio.run(flood(url, 10_050))
        elapsed = time.monotonic() - started
        # One anonymous client gets its burst of new sessions (1,000, then 10 a second),
        # then 429s, nothing else.
        assert set(statuses) <= {200, 429}
        assert statuses.count(200) <= 1000 + 10 * (elapsed + 1)
        assert statuses.count(429) >= 10_050 - 1000 - 10 * (elapsed + 1)
        # The live user's State survived and the user is served as before.
        assert join(victim, url, session, "!").json()["data"][0] == "keep-me!"
    assert app.unloads == [] or app.unloads == [1]  # only its own heartbeat's end


def test_over_capacity_the_flood_evicts_itself(serve: Callable[..., str]) -> None:
    app = App()
    url = serve(app.demo, state_session_capacity=50)
    victim = cookied(url)
    session = uuid.uuid4().hex
    with heartbeat(victim, url, session):
        join(victim, url, session, "mine")
        # 20 cookies, 25 sessions each: within every client's budget, 10x the capacity.
        statuses = asyncio.run(flood(url, 500, cookies=20))
        assert set(statuses) == {200}
        assert join(victim, url, session, "+").json()["data"][0] == "mine+"


def test_idle_sessions_go_first_past_the_byte_budget(serve: Callable[..., str]) -> None:
    url = serve(App().demo, state_max_size="300kb")
    live, idle = cookied(url), cookied(url)
    live_session, big_session = uuid.uuid4().hex, uuid.uuid4().hex
    join(idle, url, big_session, "b" * 200_000)  # an idle session holding 200 KB
    with heartbeat(live, url, live_session):
        join(live, url, live_session, "s" * 50_000)
        join(live, url, live_session, "t" * 100_000)  # 150 KB live + 200 KB idle > 300 KB
        assert join(live, url, live_session, "").json()["data"][0] == "t" * 20
        # The big idle session was the one to go: its State starts empty again.
        assert join(idle, url, big_session, "again").json()["data"][0] == "again"


def test_heartbeats_are_bound_to_the_sessions_owner(serve: Callable[..., str]) -> None:
    app = App()
    url = serve(app.demo)
    owner, stranger = cookied(url), cookied(url)
    session = uuid.uuid4().hex
    join(owner, url, session, "secret")
    heartbeat_url = f"{url}/gradio_api/heartbeat/{session}"
    for headers in ({"Sec-Fetch-Site": "cross-site"}, {"Origin": "https://evil.example"},
                    {"Sec-Fetch-Site": "same-site"}):
        assert owner.get(heartbeat_url, headers=headers).status_code == 403
    # Another client, with its own cookie or none, can neither attach nor end the session.
    assert stranger.get(heartbeat_url).status_code == 403
    with httpx.Client(timeout=10) as anonymous:
        assert anonymous.get(heartbeat_url).status_code == 403
    assert join(stranger, url, session, "x").status_code == 403
    assert app.unloads == []
    assert join(owner, url, session, "!").json()["data"][0] == "secret!"
    # The owner's own heartbeat works, and its end fires the unload event once.
    with heartbeat(owner, url, session):
        pass
    for _ in range(200):  # the server notices the closed stream at its next write
        if app.unloads:
            break
        time.sleep(0.1)
    assert app.unloads == [1]


def test_unload_events_cannot_be_called_through_the_api(serve: Callable[..., str]) -> None:
    app = App()
    url = serve(app.demo)
    unload_index = next(i for i, dep in enumerate(app.demo.dependencies)
                        if dep in app.demo.unload_events())
    info = httpx.get(url + "/gradio_api/info?all_endpoints=1").json()
    assert all(str(unload_index) not in key for key in info.get("unnamed_endpoints", {}))
    session = uuid.uuid4().hex
    joined = httpx.post(url + "/gradio_api/queue/join",
                        json={"data": [], "fn_index": unload_index, "session_hash": session})
    assert joined.status_code == 404
    ran = httpx.post(url + "/gradio_api/run/anything",
                     json={"data": [], "fn_index": unload_index, "session_hash": session})
    assert ran.status_code == 404
    assert app.unloads == []


# ---- the store's rules, for any sequence of events ------------------------------------------


class Clock:
    now = 0.0

    def __call__(self) -> float:
        return self.now


operations = st.lists(st.tuples(
    st.sampled_from(["open", "set", "attach", "detach", "tick"]),
    st.integers(0, 11),           # which session
    st.integers(0, 3),            # which client
    st.integers(0, 400)), max_size=80)


@settings(max_examples=150, deadline=None)
@given(operations)
def test_a_live_session_is_never_evicted_and_bytes_stay_bounded(ops: list[Any]) -> None:
    clock = Clock()
    store = MemoryStateStore(capacity=4, max_bytes=2_000, clock=clock,
                             budget=SessionBudget(burst=5, rate=1.0))
    attached: dict[str, int] = {}
    for op, n, client, size in ops:
        name = f"s{n}"
        if op == "tick":
            clock.now += size / 100
        elif op == "open":
            try:
                store.open(name, owner=None, client=f"c{client}")
            except InvalidRequest as refused:
                assert refused.status_code == 429
        elif op == "set" and name in store:
            store.state(name)[1] = "x" * size
        elif op == "attach" and name in store:
            store.attach(name)
            attached[name] = attached.get(name, 0) + 1
        elif op == "detach" and attached.get(name):
            store.detach(name, keep=1e9)
            attached[name] -= 1
        live = [s for s, count in attached.items() if count]
        assert all(s in store for s in live), "a live session was evicted"
        idle = [s for s in (f"s{i}" for i in range(12)) if s in store and s not in live]
        # Over a budget only while nothing idle is left to give way.
        assert len(store) <= 4 or not idle
        assert store.total_bytes <= 2_000 + 500 or len(idle) <= 1
