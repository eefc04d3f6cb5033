"""Reading SSE streams in tests, with httpx against a real server."""

from __future__ import annotations

import json
from typing import Any

import httpx


def queue_messages(url: str, session_hash: str, timeout: float = 20) -> list[dict[str, Any]]:
    """Every message of a session's queue stream until close_stream (or the stream ends)."""
    messages = []
    with httpx.stream("GET", f"{url}/gradio_api/queue/data",
                      params={"session_hash": session_hash}, timeout=timeout) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        for line in response.iter_lines():
            if not line:
                continue
            assert line.startswith("data: "), line
            message = json.loads(line[len("data: "):])
            messages.append(message)
            if message["msg"] == "close_stream":
                break
    return messages


def join(url: str, fn_index: int, data: list[Any], session_hash: str) -> str:
    response = httpx.post(f"{url}/gradio_api/queue/join",
                          json={"data": data, "fn_index": fn_index, "session_hash": session_hash})
    assert response.status_code == 200, response.text
    event_id: str = response.json()["event_id"]
    return event_id


def call_events(url: str, api_name: str, event_id: str) -> list[tuple[str, Any]]:
    """(event, data) frames of a plain-HTTP call's result stream."""
    frames = []
    event = None
    with httpx.stream("GET", f"{url}/gradio_api/call/{api_name}/{event_id}",
                      timeout=20) as response:
        assert response.status_code == 200
        for line in response.iter_lines():
            if line.startswith("event: "):
                event = line[len("event: "):]
            elif line.startswith("data: "):
                frames.append((event or "", json.loads(line[len("data: "):])))
    return frames
