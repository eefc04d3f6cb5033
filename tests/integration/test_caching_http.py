"""gr.cache over the queue's wire: a hit goes out without queue messages and marked
`used_cache: "full"`, a gr.Cache hit marks "partial", a per-session cache keeps sessions
apart and forgets a session when its page leaves, and a hit's time is not counted in the
function's average."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

import porch as gr
from tests.integration.sse import join, queue_messages


class Runs:
    def __init__(self) -> None:
        self.count = 0
        self.never = 0


@pytest.fixture(scope="module")
def runs() -> Runs:
    return Runs()


@pytest.fixture(scope="module")
def url(runs: Runs) -> Iterator[str]:
    from tests.conftest import launched

    @gr.cache
    def double(x: float) -> float:
        runs.count += 1
        time.sleep(0.05)
        return x * 2

    @gr.cache(per_session=True)
    def mine(x: str) -> str:
        runs.count += 1
        return f"{x}#{runs.count}"

    def by_hand(x: str, c: gr.Cache = gr.Cache()) -> str:  # noqa: B008
        if c.get(x) is None:
            c.set(x, seen=True)
            return "new"
        return "seen"

    def slow_key(kw: dict[str, Any]) -> Any:
        time.sleep(1)  # the probe computes the key: long enough to cancel it meanwhile
        return kw["x"]

    @gr.cache(key=slow_key)
    def never(x: str) -> str:
        runs.never += 1
        return x

    with gr.Blocks() as demo:
        number, text, out = gr.Number(), gr.Textbox(), gr.Textbox()
        gr.Button().click(double, number, number, api_name="double")    # fn_index 0
        gr.Button().click(mine, text, out, api_name="mine")              # fn_index 1
        gr.Button().click(by_hand, text, out, api_name="by_hand")       # fn_index 2
        gr.Button().click(never, text, out, api_name="never")           # fn_index 3
    with launched(demo) as address:
        yield address


def run(url: str, fn_index: int, data: list[Any], session: str) -> list[dict[str, Any]]:
    join(url, fn_index, data, session)
    return [m for m in queue_messages(url, session) if m.get("event_id")]


def completed(messages: list[dict[str, Any]]) -> dict[str, Any]:
    found = [m for m in messages if m["msg"] == "process_completed"]
    assert len(found) == 1, messages
    return found[0]


def test_a_hit_skips_the_queue_and_says_so(url: str, runs: Runs) -> None:
    first = run(url, 0, [21], "s-hit-1")
    assert {m["msg"] for m in first} >= {"estimation", "process_starts"}
    assert completed(first)["output"]["data"] == [42]
    assert completed(first)["used_cache"] is None
    before = runs.count
    again = run(url, 0, [21], "s-hit-2")
    assert [m["msg"] for m in again] == ["process_completed"]
    assert completed(again)["output"]["data"] == [42]
    assert completed(again)["used_cache"] == "full"
    assert completed(again)["success"] is True
    assert runs.count == before


def test_hits_do_not_change_the_measured_average(url: str) -> None:
    averages = []
    for i in range(3):
        averages.append(completed(run(url, 0, [5], f"s-avg-{i}"))["output"]["average_duration"])
    assert averages[1] == averages[2] == averages[0]  # only the first one ran
    assert averages[0] is not None and averages[0] >= 0.04


def test_a_cache_read_by_hand_is_a_partial_hit(url: str) -> None:
    assert completed(run(url, 2, ["k"], "s-hand-1"))["used_cache"] is None
    again = completed(run(url, 2, ["k"], "s-hand-2"))
    assert again["output"]["data"] == ["seen"] and again["used_cache"] == "partial"


def test_per_session_entries_stay_in_their_session(url: str) -> None:
    a1 = completed(run(url, 1, ["x"], "s-own-a"))["output"]["data"][0]
    a2 = completed(run(url, 1, ["x"], "s-own-a"))["output"]["data"][0]
    b1 = completed(run(url, 1, ["x"], "s-own-b"))["output"]["data"][0]
    assert a1 == a2 and b1 != a1


def test_a_session_that_leaves_loses_its_entries(url: str) -> None:
    config = httpx.get(f"{url}/config").json()
    assert config["connect_heartbeat"] is True  # per-session caches need to hear it end
    first = completed(run(url, 1, ["y"], "s-leave"))["output"]["data"][0]
    assert completed(run(url, 1, ["y"], "s-leave"))["output"]["data"][0] == first
    # The page's heartbeat connects, then goes: the session has ended.
    with httpx.stream("GET", f"{url}/gradio_api/heartbeat/s-leave", timeout=5) as response:
        assert next(response.iter_lines()) == "data: ALIVE"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        now = completed(run(url, 1, ["y"], "s-leave"))["output"]["data"][0]
        if now != first:
            break
        time.sleep(0.1)
    assert now != first  # its entry went with it, so the function ran again


def test_an_event_cancelled_while_probing_is_answered_and_never_runs(url: str,
                                                                     runs: Runs) -> None:
    event_id = join(url, 3, ["z"], "s-cancel")
    response = httpx.post(f"{url}/gradio_api/cancel",
                          json={"fn_index": 3, "session_hash": "s-cancel", "event_id": event_id})
    assert response.status_code == 200
    messages = queue_messages(url, "s-cancel")
    done = [m for m in messages if m["msg"] == "process_completed"]
    assert len(done) == 1 and done[0]["event_id"] == event_id, messages
    time.sleep(1.5)  # past the key's computation: the probe ended without queueing
    assert runs.never == 0
