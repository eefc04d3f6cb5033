"""Found by bench/endurance.py: every plain-HTTP `/call` without a session hash creates a
State session (the server makes up a hash for it), on an app with no State at all. Such a
session can never be used again, yet it counts against `state_session_capacity` like a
visitor's: 12,000 curl calls grow RSS until the capacity is reached (44 -> 58 MiB at the
default 10,000), and past it each anonymous call evicts a real user's State.

Bounded: capacity 20, 30 anonymous calls."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest

import porch as gr
from tests.conftest import free_port
from tests.load.wire import Session, completed

pytestmark = pytest.mark.load

HOST = "127.0.0.1"
CAPACITY = 20


def remember(x: str, kept: list[str] | None) -> tuple[str, list[str]]:
    kept = [*(kept or []), x]
    return str(len(kept)), kept


def app() -> gr.Blocks:
    with gr.Blocks() as demo:
        box, out = gr.Textbox(), gr.Textbox()
        state = gr.State([])
        gr.Button().click(remember, [box, state], [out, state], api_name="remember")
        gr.Button().click(lambda x: x, box, out, api_name="echo")
    return demo


def user_call(session: Session, text: str) -> str:
    result: list[str] = []

    def target() -> None:
        async def go() -> str:
            event_id, messages = await session.call(0, [text, None])
            answer: str = completed(messages, event_id)["output"]["data"][0]
            return answer
        result.append(asyncio.run(go()))

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(60)
    assert result, "the user's call did not finish"
    return result[0]


def anonymous_call(client: httpx.Client, text: str) -> Any:
    event_id = client.post("/gradio_api/call/echo", json={"data": [text]}).json()["event_id"]
    with client.stream("GET", f"/gradio_api/call/echo/{event_id}") as response:
        lines = list(response.iter_lines())
    assert "event: complete" in lines, lines
    return lines


def test_anonymous_plain_http_calls_do_not_evict_a_users_state(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PORCH_TEMP_DIR", str(tmp_path))
    demo = app()
    port = free_port()
    fastapp, _, _ = demo.launch(prevent_thread_lock=True, server_name=HOST, server_port=port,
                                quiet=True, state_session_capacity=CAPACITY)
    try:
        user = Session(HOST, port)
        assert user_call(user, "a") == "1"
        assert user_call(user, "b") == "2"
        with httpx.Client(base_url=f"http://{HOST}:{port}", timeout=30) as client:
            for i in range(CAPACITY + 10):
                anonymous_call(client, f"x{i}")
        sessions_kept = len(fastapp.state.runtime.states)
        # The user is still here (their next call comes): their State must still be there.
        assert user_call(user, "c") == "3", (
            f"the user's State was evicted; {sessions_kept} sessions kept for "
            f"{CAPACITY + 10} anonymous calls and 1 user")
    finally:
        demo.close()
