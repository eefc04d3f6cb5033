"""gradio_client 2.7.2 sees porch's queue as it sees Gradio's: statuses for queueing,
progress and logs, time limits as AppError, batches per caller, a full queue as QueueError."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

import porch as gr
from tests.integration import queue_apps

gradio_client = pytest.importorskip("gradio_client", reason="install the test extras")
from gradio_client import Client  # noqa: E402
from gradio_client.exceptions import AppError  # noqa: E402
from gradio_client.utils import QueueError, Status, StatusUpdate  # noqa: E402

pytestmark = pytest.mark.compat


@pytest.fixture
def client(serve: Callable[..., str], tmp_path: Path) -> Client:
    return Client(serve(queue_apps.features()), verbose=False, download_files=str(tmp_path))


def updates_of(job: Any) -> list[Any]:
    """Every update the client's job reported (its public async iteration), in order."""
    found: list[Any] = []

    async def collect() -> None:
        async for update in job:
            found.append(update)

    thread = threading.Thread(target=asyncio.run, args=(collect(),))
    thread.start()
    thread.join(30)
    return found


def test_progress_and_log_statuses(client: Client) -> None:
    job = client.submit(3, api_name="/steps")
    statuses = [u for u in updates_of(job) if isinstance(u, StatusUpdate)]
    assert job.result() == "3 steps"
    codes = [s.code for s in statuses]
    assert Status.IN_QUEUE in codes and Status.PROCESSING in codes
    progress = [s.progress_data for s in statuses if s.code == Status.PROGRESS]
    units = [unit for data in progress if data for unit in data]
    assert any(u.desc == "warming up" and u.progress == 0.0 for u in units)
    stepping = [(u.index, u.length, u.unit) for u in units if u.desc == "stepping"]
    assert stepping == [(0, 3, "steps"), (1, 3, "steps"), (2, 3, "steps")]
    logs = [s.log for s in statuses if s.code == Status.LOG]
    assert logs == [("done stepping", "info")]


def test_time_limit_is_an_app_error(client: Client) -> None:
    with pytest.raises(AppError) as caught:
        client.predict(30, api_name="/hang")
    assert caught.value.message == "/hang ran longer than its time limit of 0.3 s and was stopped."
    assert caught.value.title == "Time limit exceeded"


def test_batched_calls_each_get_their_own_result(client: Client) -> None:
    jobs = [client.submit(f"w{i}", api_name="/shout") for i in range(4)]
    assert [job.result() for job in jobs] == ["W0", "W1", "W2", "W3"]


def test_state_and_injected_progress_stay_out_of_the_api(client: Client) -> None:
    info = client.view_api(print_info=False, return_format="dict")
    steps = info["named_endpoints"]["/steps"]["parameters"]
    assert [p["parameter_name"] for p in steps] == ["n"]
    assert client.predict("one", api_name="/remember") == "one"
    assert client.predict("two", api_name="/remember") == "one two"


def test_full_queue_raises_queue_error(serve: Callable[..., str], tmp_path: Path) -> None:
    release = threading.Event()

    def wait(x: float) -> float:
        release.wait(10)
        return x

    with gr.Blocks() as demo:
        n = gr.Number()
        gr.Button().click(wait, n, n, api_name="wait")
    demo.queue(max_size=1)
    url = serve(demo)
    client = Client(url, verbose=False, download_files=str(tmp_path))
    try:
        running = client.submit(1, api_name="/wait")
        waiting = client.submit(2, api_name="/wait")
        # The server's own count says when the queue holds the second job (the client's
        # status of a job may lag behind the stream).
        deadline = time.monotonic() + 15
        while httpx.get(url + "/gradio_api/queue/status").json()["queue_size"] != 1:
            assert time.monotonic() < deadline, (running.status(), waiting.status())
            threading.Event().wait(0.02)
        with pytest.raises(QueueError):
            client.predict(3, api_name="/wait")
    finally:
        release.set()
    assert running.result() == 1 and waiting.result() == 2
