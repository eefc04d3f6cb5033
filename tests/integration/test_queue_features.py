"""Queue features over real HTTP: progress, time limits, batches, shared limits, max size,
direct runs, sessions ending with their heartbeat."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

import porch as gr
from tests.integration import queue_apps
from tests.integration.sse import join, queue_messages


@pytest.fixture(scope="module")
def url() -> Any:
    demo = queue_apps.features()
    from tests.conftest import free_port

    _, address, _ = demo.launch(prevent_thread_lock=True, server_name="127.0.0.1",
                                server_port=free_port(), quiet=True)
    yield address
    demo.close()


def fn_index(url: str, api_name: str) -> int:
    for dep in httpx.get(url + "/config").json()["dependencies"]:
        if dep["api_name"] == api_name:
            index: int = dep["id"]
            return index
    raise KeyError(api_name)


def run(url: str, api_name: str, data: list[Any], session: str | None = None,
        ) -> list[dict[str, Any]]:
    session = session or uuid.uuid4().hex
    event_id = join(url, fn_index(url, api_name), data, session)
    return [m for m in queue_messages(url, session) if m.get("event_id") in (event_id, None)]


def final(messages: list[dict[str, Any]]) -> dict[str, Any]:
    return [m for m in messages if m["msg"] == "process_completed"][-1]


def test_progress_messages_carry_description_and_position(url: str) -> None:
    messages = run(url, "steps", [3])
    progress = [m["progress_data"] for m in messages if m["msg"] == "progress"]
    assert progress[0] == [{"index": None, "length": None, "unit": "steps", "progress": 0.0,
                            "desc": "warming up"}]
    stepping = [data[0] for data in progress if data[0]["desc"] == "stepping"]
    assert [(u["index"], u["length"], u["unit"]) for u in stepping] == [
        (0, 3, "steps"), (1, 3, "steps"), (2, 3, "steps")]
    kinds = [m["msg"] for m in messages]
    assert kinds.index("process_starts") < kinds.index("progress") < kinds.index("log")
    assert final(messages)["output"]["data"] == ["3 steps"]


def test_progress_is_not_an_api_parameter(url: str) -> None:
    info = httpx.get(url + "/gradio_api/info").json()["named_endpoints"]
    assert [p["parameter_name"] for p in info["/steps"]["parameters"]] == ["n"]


def test_track_tqdm_reports_tqdm_bars(url: str) -> None:
    pytest.importorskip("tqdm")
    messages = run(url, "tqdm_steps", [4])
    units = [u for m in messages if m["msg"] == "progress" for u in m["progress_data"]]
    assert any(u["desc"] == "inner tqdm" and u["length"] == 4 for u in units)
    assert final(messages)["output"]["data"] == ["tracked"]


@pytest.mark.parametrize("api_name", ["hang", "async_hang", "ticking"])
def test_time_limit_stops_the_event_with_a_clear_error(url: str, api_name: str) -> None:
    messages = run(url, api_name, [30])
    done = final(messages)
    assert done["success"] is False
    assert done["output"]["error"] == (
        f"/{api_name} ran longer than its time limit of 0.3 s and was stopped.")
    assert done["output"]["title"] == "Time limit exceeded"
    # The server is free for the next call at once.
    assert final(run(url, api_name, [0]))["success"] is True


def test_generator_messages_carry_the_time_limit(url: str) -> None:
    messages = run(url, "ticking", [2])
    assert {m["time_limit"] for m in messages if m["msg"] == "process_generating"} == {0.3}
    config = {d["api_name"]: d for d in httpx.get(url + "/config").json()["dependencies"]}
    assert config["ticking"]["time_limit"] == 0.3
    assert config["shout"]["batch"] is True and config["shout"]["max_batch_size"] == 3


def test_batch_groups_waiting_calls_and_answers_each_caller(url: str) -> None:
    queue_apps.batch_sizes.clear()
    sessions = [uuid.uuid4().hex for _ in range(5)]
    index = fn_index(url, "shout")
    with httpx.Client(base_url=url) as client:  # one client: joins must beat the 0.2 s run
        events = [client.post("/gradio_api/queue/join", json={
            "data": [f"word{i}"], "fn_index": index, "session_hash": s}).json()["event_id"]
            for i, s in enumerate(sessions)]
    results = {}
    for i, session in enumerate(sessions):
        messages = queue_messages(url, session)
        assert {m["event_id"] for m in messages} <= {events[i], None}
        assert [m["msg"] for m in messages].count("process_starts") == 1
        results[i] = final(messages)["output"]["data"]
    assert results == {i: [f"WORD{i}"] for i in range(5)}
    # The first ran alone (nothing waited yet); the rest went by up to max_batch_size=3.
    assert queue_apps.batch_sizes[0] == 1 and max(queue_apps.batch_sizes) == 3
    assert sum(queue_apps.batch_sizes) == 5


def test_a_batch_function_returning_the_wrong_shape_fails_clearly(
        serve: Callable[..., str]) -> None:
    url = serve(queue_apps.features(), show_error=True)
    done = final(run(url, "broken_batch", ["x"]))
    assert done["success"] is False and "one list per output" in done["output"]["error"]


def test_concurrency_id_shares_the_smallest_limit(url: str) -> None:
    queue_apps.shared.peak = 0
    threads = [threading.Thread(target=run, args=(url, name, [1]))
               for name in ("shared_a", "shared_b", "shared_a", "shared_b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert queue_apps.shared.peak == 1


def test_direct_run_skips_the_queue_and_still_injects_progress(url: str) -> None:
    response = httpx.post(url + "/gradio_api/run/direct_steps", json={"data": [2]})
    assert response.status_code == 200
    assert response.json()["data"] == ["2 steps"]


def test_full_queue_answers_503_with_a_clear_message(serve: Callable[..., str]) -> None:
    with gr.Blocks() as demo:
        n = gr.Number()
        gr.Button().click(queue_apps.hang, n, n, api_name="hang")
    demo.queue(max_size=1)
    url = serve(demo)
    join(url, 0, [1], "a")  # runs
    join(url, 0, [1], "b")  # waits: the queue is now full
    response = httpx.post(url + "/gradio_api/queue/join",
                          json={"data": [1], "fn_index": 0, "session_hash": "c"})
    assert response.status_code == 503
    assert response.json() == {"detail": "Queue is full. Max size is 1 and size is 1."}
    status = httpx.get(url + "/gradio_api/queue/status").json()
    assert status["queue_size"] == 1 and status["msg"] == "estimation"


def test_heartbeat_end_runs_unload_and_keeps_state_until_the_grace_ends(url: str) -> None:
    config = httpx.get(url + "/config").json()
    assert config["connect_heartbeat"] is True
    session = uuid.uuid4().hex
    queue_apps.unloaded.clear()
    assert final(run(url, "remember", ["one", None], session))["output"]["data"][0] == "one"
    with httpx.stream("GET", f"{url}/gradio_api/heartbeat/{session}", timeout=5) as response:
        assert next(response.iter_lines()) == "data: ALIVE"
    deadline = time.monotonic() + 5
    while not queue_apps.unloaded and time.monotonic() < deadline:
        time.sleep(0.02)
    assert queue_apps.unloaded == ["bye"]
    # Back within the grace time (a reload): the state is still there.
    assert final(run(url, "remember", ["two", None], session))["output"]["data"][0] == "one two"


def test_direct_run_of_a_batch_function_is_a_batch_of_one(url: str) -> None:
    response = httpx.post(url + "/gradio_api/run/shout", json={"data": ["solo"]})
    assert response.status_code == 200, response.text
    assert response.json()["data"] == ["SOLO"]


def test_session_capacity_evicts_the_least_recent_session(serve: Callable[..., str]) -> None:
    gone: list[Any] = []
    with gr.Blocks() as demo:
        text = gr.Textbox()
        memory = gr.State("", delete_callback=gone.append)
        gr.Button().click(lambda t, m: (m + t, m + t), [text, memory], [text, memory],
                          api_name="keep")
    url = serve(demo, state_session_capacity=2)
    for session in ("a", "b", "c"):
        assert final(run(url, "keep", [session, None], session))["success"] is True
    assert gone == ["a"]  # the third session pushed out the least recently used one
    assert final(run(url, "keep", ["2", None], "c"))["output"]["data"] == ["c2", None]
