"""Plain `def` generators run in one worker for their whole life (porch/queue/pump.py): what
stepping them one at a time guaranteed must still hold, over real HTTP."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

import porch as gr
from tests.integration.sse import call_events, join, queue_messages

STEPS: list[int] = []
CLOSED = threading.Event()


def grow(n: float) -> Iterator[list[int]]:
    # The same list, changed in place after each yield: every state must reach the client.
    items: list[int] = []
    for i in range(int(n)):
        items.append(i)
        yield items


def endless() -> Iterator[str]:
    try:
        i = 0
        while True:
            STEPS.append(i)
            i += 1
            time.sleep(0.02)
            yield str(i)
    finally:
        CLOSED.set()


def breaks(n: float) -> Iterator[str]:
    for i in range(int(n)):
        yield f"step {i}"
    raise gr.Error("broke after the steps")


def announces() -> Iterator[str]:
    gr.Info("from inside the generator")
    yield "one"
    gr.Warning("later, from the same generator")
    yield "two"


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    from tests.conftest import free_port

    with gr.Blocks() as demo:
        n = gr.Number(value=3)
        as_json = gr.JSON()
        text = gr.Textbox()
        gr.Button("grow").click(grow, n, as_json, api_name="grow")
        gr.Button("endless").click(endless, None, text, api_name="endless", time_limit=0.5)
        gr.Button("breaks").click(breaks, n, text, api_name="breaks")
        gr.Button("announces").click(announces, None, text, api_name="announces")
    _, address, _ = demo.launch(prevent_thread_lock=True, server_name="127.0.0.1",
                                server_port=free_port(), quiet=True)
    yield address
    demo.close()


def call(url: str, api_name: str, data: list[Any]) -> list[tuple[str, Any]]:
    response = httpx.post(f"{url}/gradio_api/call/{api_name}", json={"data": data})
    assert response.status_code == 200, response.text
    return call_events(url, api_name, response.json()["event_id"])


def fn_index(url: str, api_name: str) -> int:
    deps = httpx.get(url + "/config").json()["dependencies"]
    return next(int(d["id"]) for d in deps if d["api_name"] == api_name)


def test_a_list_changed_in_place_is_read_at_each_yield(url: str) -> None:
    frames = call(url, "grow", [40])
    generating = [data for event, data in frames if event == "generating"]
    assert generating == [[list(range(k + 1))] for k in range(40)]
    assert frames[-1] == ("complete", [list(range(40))])


def test_the_time_limit_stops_the_generator_and_closes_it_in_its_thread(url: str) -> None:
    STEPS.clear()
    CLOSED.clear()
    frames = call(url, "endless", [])
    assert frames[-1][0] == "error"
    assert CLOSED.wait(5), "the generator's finally never ran"
    taken = len(STEPS)
    time.sleep(0.3)
    assert len(STEPS) == taken, "the generator kept running after its event ended"
    assert 5 <= taken < 60


def test_an_error_after_some_steps_ends_the_event_and_the_next_call_works(url: str) -> None:
    session = uuid.uuid4().hex
    event_id = join(url, fn_index(url, "breaks"), [3], session)
    messages = [m for m in queue_messages(url, session) if m.get("event_id") == event_id]
    assert [m["msg"] for m in messages].count("process_generating") == 3
    completed = messages[-1]
    assert completed["msg"] == "process_completed" and completed["success"] is False
    assert "broke after the steps" in str(completed["output"])
    assert call(url, "grow", [2])[-1] == ("complete", [[0, 1]])


def test_toasts_from_inside_the_generator_reach_the_event(url: str) -> None:
    session = uuid.uuid4().hex
    event_id = join(url, fn_index(url, "announces"), [], session)
    messages = [m for m in queue_messages(url, session) if m.get("event_id") == event_id]
    logs = [(m["level"], m["log"]) for m in messages if m["msg"] == "log"]
    assert logs == [("info", "from inside the generator"),
                    ("warning", "later, from the same generator")]
    assert messages[-1]["output"]["data"] == ["two"]
