"""The queue protocol over real HTTP: join, the session stream, diffs, errors, cancel."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable

import httpx
import pytest

from tests.integration import apps
from tests.integration.sse import join, queue_messages


@pytest.fixture
def sink(serve: Callable[..., str]) -> str:
    return serve(apps.kitchen_sink())


def fn_index(url: str, api_name: str) -> int:
    for dep in httpx.get(url + "/config").json()["dependencies"]:
        if dep["api_name"] == api_name:
            index: int = dep["id"]
            return index
    raise KeyError(api_name)


def run(url: str, api_name: str, data: list[object], session: str | None = None):
    session = session or uuid.uuid4().hex
    event_id = join(url, fn_index(url, api_name), data, session)
    messages = queue_messages(url, session)
    mine = [m for m in messages if m.get("event_id") in (event_id, None)]
    return event_id, mine


def test_simple_call_sequence(sink: str) -> None:
    event_id, messages = run(sink, "greet", ["porch"])
    kinds = [m["msg"] for m in messages]
    assert kinds == ["estimation", "process_starts", "process_completed", "close_stream"]
    done = messages[2]
    assert done["event_id"] == event_id and done["success"] is True
    assert done["output"]["data"] == ["Hello porch!"]
    assert done["output"]["is_generating"] is False


def test_generator_streams_full_value_then_diffs(sink: str) -> None:
    _, messages = run(sink, "count", [3])
    steps = [m["output"]["data"] for m in messages if m["msg"] == "process_generating"]
    assert steps == [["0 "], [[["append", [], "1 "]]], [[["append", [], "2 "]]]]
    final = [m for m in messages if m["msg"] == "process_completed"][0]
    assert final["output"]["data"] == ["0 1 2 "]


def test_async_functions_and_async_generators(sink: str) -> None:
    _, messages = run(sink, "shout", ["quiet"])
    assert messages[-2]["output"]["data"] == ["QUIET"]
    _, messages = run(sink, "acount", [2])
    assert [m["msg"] for m in messages].count("process_generating") == 2
    assert messages[-2]["output"]["data"] == ["1"]


def test_app_error_reaches_the_client_with_its_title(sink: str) -> None:
    _, messages = run(sink, "fail", ["x"])
    done = messages[-2]
    assert done["success"] is False
    assert done["output"] == {"error": "Custom failure: x", "duration": 5, "visible": True,
                              "title": "Bad input"}


def test_internal_exception_is_hidden_by_default(sink: str) -> None:
    _, messages = run(sink, "crash", ["q"])
    assert messages[-2]["output"] == {"error": None}


def test_internal_exception_shown_with_show_error(serve: Callable[..., str]) -> None:
    url = serve(apps.kitchen_sink(), show_error=True)
    _, messages = run(url, "crash", ["q"])
    assert "secret internal detail q" in messages[-2]["output"]["error"]


def test_state_is_kept_per_session(sink: str) -> None:
    session = uuid.uuid4().hex
    _, first = run(sink, "remember", ["one", None], session)
    _, second = run(sink, "remember", ["two", None], session)
    assert first[-2]["output"]["data"] == ["one", None]
    assert second[-2]["output"]["data"] == ["one, two", None]
    _, other = run(sink, "remember", ["three", None])
    assert other[-2]["output"]["data"] == ["three", None]


def test_info_and_warning_arrive_as_log_messages(sink: str) -> None:
    _, messages = run(sink, "chatty", ["job"])
    logs = [(m["level"], m["log"]) for m in messages if m["msg"] == "log"]
    assert logs == [("info", "starting job"), ("warning", "almost done")]


def test_one_stream_carries_every_event_of_the_session(sink: str) -> None:
    session = uuid.uuid4().hex
    a = join(sink, fn_index(sink, "greet"), ["a"], session)
    b = join(sink, fn_index(sink, "shout"), ["b"], session)
    messages = queue_messages(sink, session)
    done = {m["event_id"]: m["output"]["data"] for m in messages
            if m["msg"] == "process_completed"}
    assert done == {a: ["Hello a!"], b: ["B"]}
    assert messages[-1]["msg"] == "close_stream"
    assert sum(m["msg"] == "close_stream" for m in messages) == 1


def test_slow_event_does_not_block_another(sink: str) -> None:
    slow_session, fast_session = uuid.uuid4().hex, uuid.uuid4().hex
    apps.slow_calls.clear()
    join(sink, fn_index(sink, "slow_one"), [1.0], slow_session)
    _, messages = run(sink, "greet", ["fast"], fast_session)
    assert messages[-2]["output"]["data"] == ["Hello fast!"]
    assert apps.slow_calls == []  # the slow call had not finished when the fast one did
    queue_messages(sink, slow_session)
    assert len(apps.slow_calls) == 1


def test_concurrency_limit_one_queues_the_second_job(sink: str) -> None:
    s1, s2 = uuid.uuid4().hex, uuid.uuid4().hex
    apps.slow_calls.clear()
    join(sink, fn_index(sink, "slow_one"), [0.2], s1)
    join(sink, fn_index(sink, "slow_one"), [0.2], s2)
    second = queue_messages(sink, s2)
    queue_messages(sink, s1)
    ranks = [m["rank"] for m in second if m["msg"] == "estimation"]
    assert ranks[-1] == 0 and ranks[0] >= ranks[-1]
    assert not apps.overlapped(apps.slow_calls)  # limit 1: one after the other


def test_cancel_stops_a_running_generator(sink: str) -> None:
    session = uuid.uuid4().hex
    event_id = join(sink, fn_index(sink, "count"), [200], session)
    result: list[list[dict[str, object]]] = []
    reader = threading.Thread(target=lambda: result.append(queue_messages(sink, session)))
    reader.start()
    time.sleep(0.3)
    response = httpx.post(sink + "/gradio_api/cancel",
                          json={"fn_index": fn_index(sink, "count"), "session_hash": session,
                                "event_id": event_id})
    assert response.json() == {"success": True}
    reader.join(10)
    messages = result[0]
    done = [m for m in messages if m["msg"] == "process_completed"]
    assert done and done[0]["output"] == {}
    assert len([m for m in messages if m["msg"] == "process_generating"]) < 100
    assert messages[-1]["msg"] == "close_stream"


def test_unknown_session_stream_says_so(sink: str) -> None:
    messages = queue_messages(sink, "never-joined")
    assert messages[0]["msg"] == "unexpected_error"
    assert messages[0]["session_not_found"] is True


def test_heartbeat_streams_alive(sink: str) -> None:
    with httpx.stream("GET", sink + "/gradio_api/heartbeat/abc", timeout=5) as response:
        assert response.status_code == 200
        first = next(response.iter_lines())
    assert first == "data: ALIVE"
