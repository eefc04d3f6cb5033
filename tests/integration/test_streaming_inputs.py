"""Streaming inputs over real HTTP: a `.stream()` event stays open, runs once per chunk
POSTed to stream/{event_id}, and ends on close, on its time_limit, or for a plain call."""

from __future__ import annotations

import io
import json
import queue
import threading
import uuid
import wave
from typing import Any

import httpx
import pytest

import porch as gr
from tests.integration.sse import queue_messages


def wav_chunk(samples: int, rate: int = 8000) -> bytes:
    with io.BytesIO() as out:
        with wave.open(out, "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(rate)
            w.writeframes(b"\x01\x00" * samples)
        return out.getvalue()


def stream_app(time_limit: float | None = None) -> gr.Blocks:
    with gr.Blocks() as demo:
        mic = gr.Audio(sources=["microphone"], streaming=True)
        heard = gr.Textbox()
        total = gr.State(0)

        def listen(chunk: tuple[int, Any], seen: int) -> tuple[str, int]:
            rate, samples = chunk
            seen += len(samples)
            return f"{rate} Hz, {len(samples)} samples, {seen} in all", seen

        mic.stream(listen, [mic, total], [heard, total], stream_every=0.25,
                   time_limit=time_limit)
    return demo


def join(url: str, fn_index: int, data: list[Any], session_hash: str) -> str:
    """Join as porch's page does: it says so, and only the page streams chunk by chunk."""
    response = httpx.post(f"{url}/gradio_api/queue/join", headers={"x-gradio-user": "app"},
                          json={"data": data, "fn_index": fn_index, "session_hash": session_hash})
    assert response.status_code == 200, response.text
    event_id: str = response.json()["event_id"]
    return event_id


def upload(url: str, data: bytes, name: str) -> dict[str, Any]:
    reply = httpx.post(f"{url}/gradio_api/upload", files=[("files", (name, data))])
    assert reply.status_code == 200, reply.text
    return {"path": reply.json()[0], "orig_name": name, "meta": {"_type": "gradio.FileData"}}


class Reader(threading.Thread):
    """The session's queue stream, read in the background, one message at a time."""

    def __init__(self, url: str, session: str) -> None:
        super().__init__(daemon=True)
        self.url, self.session = url, session
        self.messages: queue.Queue[dict[str, Any]] = queue.Queue()
        self.start()

    def run(self) -> None:
        with httpx.stream("GET", f"{self.url}/gradio_api/queue/data",
                          params={"session_hash": self.session}, timeout=30) as response:
            for line in response.iter_lines():
                if line.startswith("data: "):
                    message = json.loads(line[6:])
                    self.messages.put(message)
                    if message["msg"] == "close_stream":
                        return

    def next(self, *kinds: str) -> dict[str, Any]:
        while True:
            message = self.messages.get(timeout=20)
            if message["msg"] in kinds:
                return message


def test_each_chunk_runs_the_function_and_close_ends_the_stream(serve: Any) -> None:
    url = serve(stream_app())
    config = httpx.get(url + "/config").json()
    dep = config["dependencies"][0]
    assert dep["connection"] == "stream" and dep["stream_every"] == 0.25
    session = uuid.uuid4().hex
    chunks = [upload(url, wav_chunk(n), f"chunk{n}.wav") for n in (100, 200, 300)]
    event_id = join(url, 0, [chunks[0], None], session)
    reader = Reader(url, session)
    first = reader.next("process_streaming", "process_completed")
    assert first["msg"] == "process_streaming" and first["event_id"] == event_id
    assert first["output"]["data"][0] == "8000 Hz, 100 samples, 100 in all"
    assert first["output"]["is_generating"] is True
    for chunk, expected in zip(chunks[1:], ("200 samples, 300", "300 samples, 600"),
                               strict=True):
        reply = httpx.post(f"{url}/gradio_api/stream/{event_id}",
                           json={"data": [chunk, None], "fn_index": 0, "session_hash": session})
        assert reply.json() == {"msg": "success"}
        step = reader.next("process_streaming", "process_completed")
        assert step["msg"] == "process_streaming" and expected in step["output"]["data"][0]
    # Another session cannot feed this stream.
    stranger = httpx.post(f"{url}/gradio_api/stream/{event_id}",
                          json={"data": [chunks[0], None], "session_hash": "someone-else"})
    assert stranger.status_code == 404
    assert httpx.post(f"{url}/gradio_api/stream/{event_id}/close").json() == {"msg": "success"}
    done = reader.next("process_completed")
    assert done["success"] is True and "600 in all" in done["output"]["data"][0]
    assert reader.next("close_stream")["event_id"] is None
    gone = httpx.post(f"{url}/gradio_api/stream/{event_id}",
                      json={"data": [chunks[0], None], "session_hash": session})
    assert gone.status_code == 404


def test_time_limit_ends_an_open_stream(serve: Any) -> None:
    url = serve(stream_app(time_limit=0.5))
    session = uuid.uuid4().hex
    event_id = join(url, 0, [upload(url, wav_chunk(10), "a.wav"), None], session)
    reader = Reader(url, session)
    first = reader.next("process_streaming")
    assert first["time_limit"] is not None and 0 < first["time_limit"] <= 0.5
    done = reader.next("process_completed")
    assert done["event_id"] == event_id and done["success"] is True
    assert done["output"]["data"][0] == "8000 Hz, 10 samples, 10 in all"


def test_an_api_client_joining_a_stream_event_gets_one_result(serve: Any) -> None:
    url = serve(stream_app())
    session = uuid.uuid4().hex
    reply = httpx.post(f"{url}/gradio_api/queue/join", headers={"x-gradio-user": "api"},
                       json={"data": [upload(url, wav_chunk(25), "a.wav"), None],
                             "fn_index": 0, "session_hash": session})
    messages = queue_messages(url, session)
    kinds = [m["msg"] for m in messages]
    assert "process_streaming" not in kinds and kinds[-2:] == ["process_completed",
                                                               "close_stream"]
    assert messages[-2]["event_id"] == reply.json()["event_id"]
    assert messages[-2]["output"]["data"][0] == "8000 Hz, 25 samples, 25 in all"


@pytest.mark.parametrize("route", ["call", "run"])
def test_a_plain_call_of_a_stream_event_runs_once(serve: Any, route: str) -> None:
    url = serve(stream_app())
    chunk = upload(url, wav_chunk(40), "a.wav")
    if route == "run":
        reply = httpx.post(f"{url}/gradio_api/run/listen", json={"data": [chunk, None]},
                           timeout=20)
        assert reply.json()["data"][0] == "8000 Hz, 40 samples, 40 in all"
        return
    event_id = httpx.post(f"{url}/gradio_api/call/listen", json={"data": [chunk, None]}
                          ).json()["event_id"]
    with httpx.stream("GET", f"{url}/gradio_api/call/listen/{event_id}", timeout=20) as r:
        text = "".join(r.iter_text())
    assert "event: complete" in text and "40 samples, 40 in all" in text
