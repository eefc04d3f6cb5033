"""Found by bench/soak.py: the server kept the message stream of every session it ever
served (up to 10,000), so memory grew steadily through a 30-minute soak and never settled.
A session's stream now goes with the session."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable

import httpx

import porch as gr


def app() -> gr.Blocks:
    with gr.Blocks() as demo:
        box, out = gr.Textbox(), gr.Textbox()
        # A short time_to_live makes the server sweep sessions every 0.1 s instead of 30 s.
        gr.State(time_to_live=0.4)
        gr.Button().click(lambda x: x, box, out, api_name="echo")
    return demo


def visit(client: httpx.Client, url: str) -> str:
    """A page's life: heartbeat open, one queued call read to its end, heartbeat closed."""
    session = uuid.uuid4().hex
    with client.stream("GET", f"{url}/gradio_api/heartbeat/{session}") as heartbeat:
        frames = heartbeat.iter_bytes()
        next(frames)
        joined = client.post(url + "/gradio_api/queue/join",
                             json={"data": ["hi"], "fn_index": 0, "session_hash": session})
        assert joined.status_code == 200, joined.text
        with client.stream("GET", f"{url}/gradio_api/queue/data",
                           params={"session_hash": session}) as data:
            for line in data.iter_lines():
                if line.startswith("data:"):
                    message = json.loads(line[5:])
                    if message["msg"] == "process_completed":
                        assert message["output"]["data"] == ["hi"]
                        break
    return session


def test_streams_of_ended_sessions_are_dropped(serve: Callable[..., str]) -> None:
    demo = app()
    # Results stay result_ttl seconds for a client that reattaches (docs/durable-jobs.md).
    url = serve(demo, closed_session_keep=0.2, result_ttl=0.2)
    runtime = demo.server._server.config.app.state.runtime
    with httpx.Client(timeout=30) as client:
        client.get(url + "/config")
        sessions = [visit(client, url) for _ in range(20)]
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(runtime.bus.get(s) for s in sessions):
            time.sleep(0.05)
        assert [s for s in sessions if runtime.bus.get(s)] == []
        assert visit(client, url)  # and the app serves the next visitor as before
