"""Where blocks meet the queue (AppRuntime): time limits, progress and toasts reaching the
event's stream (driven as the page does, by porch.testing's AppTest), and batches and cancel
(on the runtime itself, without HTTP)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import porch as gr
from porch.server.runtime import AppRuntime
from porch.server.settings import Settings
from porch.testing import AppTest, Failure
from tests.unit.test_queue import in_fresh_loop


def runtime_for(demo: gr.Blocks, tmp: Path) -> AppRuntime:
    return AppRuntime(demo, Settings.build(environ={"PORCH_TEMP_DIR": str(tmp)}))


def slow(seconds: float) -> str:
    time.sleep(seconds)
    return "done"


async def async_slow(seconds: float) -> str:
    await asyncio.sleep(seconds)
    return "done"


def drip(n: float) -> Iterator[str]:
    for i in range(int(n)):
        time.sleep(0.05)
        yield str(i)


def report(x: float, progress: gr.Progress = gr.Progress()) -> str:
    gr.Warning("heads up")
    progress(0.5, desc="half way")
    return "reported"


def words(batch: list[str]) -> list[list[str]]:
    return [[w[::-1] for w in batch]]


@pytest.fixture
def app() -> gr.Blocks:
    with gr.Blocks() as demo:
        n = gr.Number()
        text = gr.Textbox()
        go = gr.Button()
        go.click(slow, n, text, api_name="slow", time_limit=0.2)
        go.click(async_slow, n, text, api_name="async_slow", time_limit=0.2)
        go.click(drip, n, text, api_name="drip", time_limit=0.2)
        go.click(report, n, text, api_name="report")
        go.click(words, text, text, api_name="words", batch=True, max_batch_size=4)
    return demo


@pytest.mark.parametrize("api_name", ["slow", "async_slow", "drip"])
def test_time_limit_fails_the_event_and_frees_the_caller(app: gr.Blocks, api_name: str) -> None:
    with AppTest(app) as at:
        started = time.monotonic()
        result = at.run_event(api_name, 5)
        assert time.monotonic() - started < 2  # stopped at the limit, not after 5 s
        assert not result.ok
        assert result.failures == [Failure(
            f"/{api_name} ran longer than its time limit of 0.2 s and was stopped.",
            "Time limit exceeded")]
        assert at.run_event(api_name, 0).ok


def test_progress_and_toasts_reach_the_event(app: gr.Blocks) -> None:
    with AppTest(app) as at:
        run = at.run_event("report", 1).runs[0]
        assert run.success and run.data == ["reported"]
        assert [(t.level, t.message) for t in run.toasts] == [("warning", "heads up")]
        assert run.progress == [[{"index": None, "length": None, "unit": "steps",
                                  "progress": 0.5, "desc": "half way"}]]


def test_batch_through_the_queue_answers_each_caller(app: gr.Blocks, tmp_path: Path) -> None:
    @in_fresh_loop
    async def check() -> None:
        runtime = runtime_for(app, tmp_path)
        dep = runtime.blocks.dependency(api_name="words")
        channels = {}
        for word in ("abc", "de", "f"):
            event = runtime.join(dep, [word], f"s-{word}", "http://x")
            channels[word] = (event, runtime.bus.get(f"s-{word}"))
        for word, (event, channel) in channels.items():
            assert channel is not None
            seen: list[dict[str, Any]] = []
            while not seen or seen[-1]["msg"] != "close_stream":
                batch = await channel.next_batch(2)
                assert batch is not None
                seen.extend(batch)
            done = [m for m in seen if m["msg"] == "process_completed"]
            assert [m["event_id"] for m in seen if m["event_id"]] == [event] * (len(seen) - 1)
            assert done[0]["output"]["data"] == [word[::-1]]

    check()


def test_cancel_answers_at_once_and_late_messages_are_dropped(app: gr.Blocks,
                                                             tmp_path: Path) -> None:
    @in_fresh_loop
    async def check() -> None:
        runtime = runtime_for(app, tmp_path)
        dep = runtime.blocks.dependency(api_name="async_slow")
        event = runtime.join(dep, [0.5], "s", "http://x")
        await asyncio.sleep(0.05)
        runtime.cancel(event)
        channel = runtime.bus.get("s")
        assert channel is not None
        kinds = []
        while (batch := await channel.next_batch(0.3)) is not None:
            kinds.extend((message["msg"], message.get("output")) for message in batch)
        assert kinds[-2:] == [("process_completed", {}), ("close_stream", None)]
        assert [k for k, _ in kinds].count("process_completed") == 1
        assert runtime.scheduler.running_count() == 0

    check()
