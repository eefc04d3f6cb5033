"""close_stream over HTTP: a join that lands while the session's stream is saying close_stream
is answered only once the client has hung that stream up, and its event then runs to the end
on the client's next stream (the order gradio_client needs to file it under the new reader)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

import porch as gr
from porch.queue import channels
from tests.integration.sse import join, queue_messages


def echo_app() -> gr.Blocks:
    with gr.Blocks() as demo:
        given = gr.Textbox()
        answer = gr.Textbox()
        given.submit(lambda text: text, given, answer, api_name="echo")
    return demo


def messages_until_close(lines: Iterator[str]) -> list[dict[str, Any]]:
    messages = []
    for line in lines:
        if line:
            messages.append(json.loads(line.removeprefix("data: ")))
            if messages[-1]["msg"] == "close_stream":
                break
    return messages


class JoinInThread:
    """A queue/join sent from another thread, as a second caller of the same client would."""

    def __init__(self, url: str, text: str, session_hash: str) -> None:
        self.event_id: str | None = None
        self.answered = threading.Event()
        self._thread = threading.Thread(target=self._join, args=(url, text, session_hash))
        self._thread.start()

    def _join(self, url: str, text: str, session_hash: str) -> None:
        try:
            self.event_id = join(url, 0, [text], session_hash)
        finally:
            self.answered.set()

    def wait(self, timeout: float) -> str | None:
        self.answered.wait(timeout)
        self._thread.join(timeout)
        return self.event_id


def test_a_join_during_close_stream_waits_for_the_hang_up_and_then_completes(
        serve: Callable[..., str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(channels, "HANG_UP_GRACE", 30.0)  # only the hang-up may end the wait
    url = serve(echo_app())
    first = join(url, 0, ["first"], "s")
    with httpx.stream("GET", f"{url}/gradio_api/queue/data", params={"session_hash": "s"},
                      timeout=20) as stream:
        lines = stream.iter_lines()  # held: dropping it would close the connection
        seen = messages_until_close(lines)
        assert [m["msg"] for m in seen][-2:] == ["process_completed", "close_stream"]
        assert seen[-2]["event_id"] == first
        second = JoinInThread(url, "second", "s")
        # Answered now, the client could file the event under this ending stream. (Waiting
        # for something that must not happen: no event to poll for.)
        assert not second.answered.wait(0.5)
        stream.close()  # the client hangs up, as gradio_client does once it read close_stream
        event_id = second.wait(10)  # answered at once
        assert event_id is not None
    messages = queue_messages(url, "s")
    done = [m for m in messages if m["msg"] == "process_completed"]
    assert [(m["event_id"], m["output"]["data"]) for m in done] == [(event_id, ["second"])]
    assert messages[-1]["msg"] == "close_stream"


def test_a_client_that_reads_on_after_close_stream_is_ended_by_the_server(
        serve: Callable[..., str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(channels, "HANG_UP_GRACE", 0.2)
    url = serve(echo_app())
    first = join(url, 0, ["first"], "s")
    with httpx.stream("GET", f"{url}/gradio_api/queue/data", params={"session_hash": "s"},
                      timeout=20) as stream:
        lines = [line for line in stream.iter_lines() if line]  # to the end of the stream
    kinds = [json.loads(line.removeprefix("data: "))["msg"] for line in lines]
    assert kinds[-2:] == ["process_completed", "close_stream"]
    assert kinds.count("close_stream") == 1
    second = join(url, 0, ["second"], "s")
    assert second != first
    messages = queue_messages(url, "s")
    assert [m["output"]["data"] for m in messages if m["msg"] == "process_completed"] == [
        ["second"]]
