"""The floor: the least a Starlette + uvicorn server can do to answer the echo benchmark.

Usage: python bench/floor_app.py PORT

It speaks the same request shape as porch and Gradio (PROTOCOL.md §3): `GET /config`,
`POST /gradio_api/queue/join` -> `{"event_id"}`, and `GET /gradio_api/queue/data` streaming
`estimation`, `process_starts`, `process_completed` (the echoed data) and `close_stream`.
It skips everything a framework adds: no validation beyond the needed keys, no scheduler,
no worker thread (the echo is computed inline at join time). The gap between a framework and
this floor is therefore the framework's own per-call cost.

uvicorn runs with porch's settings (porch/server/serve.py): log level warning, no access
log, no proxy headers, lifespan on, the default (h11/asyncio) protocol implementations.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

CONFIG: dict[str, Any] = {
    "version": "6.31.0",
    "protocol": "sse_v3",
    "api_prefix": "/gradio_api",
    "connect_heartbeat": False,
    "max_file_size": None,
    "components": [{"id": 1, "type": "textbox"}, {"id": 2, "type": "textbox"}],
    "dependencies": [{"id": 0, "api_name": "echo", "inputs": [1], "outputs": [2],
                      "backend_fn": True, "api_visibility": "public"}],
}


class Session:
    """Messages waiting for the session's stream, and how many events are still pending."""

    def __init__(self) -> None:
        self.messages: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.pending = 0


# Benchmark clients reuse one session each, so this stays small; a real server would bound it.
SESSIONS: dict[str, Session] = {}


def frame(message: dict[str, Any]) -> bytes:
    # Same encoder settings as porch's protocol.dumps, so both pay the same JSON cost.
    return b"data: " + json.dumps(message, separators=(",", ":"), ensure_ascii=False).encode() \
        + b"\n\n"


async def config(request: Request) -> Response:
    return JSONResponse(CONFIG)


async def join(request: Request) -> Response:
    body = await request.json()
    session = SESSIONS.setdefault(body["session_hash"], Session())
    event_id = uuid.uuid4().hex
    started = time.monotonic()
    output = {"data": body["data"], "is_generating": False,
              "duration": time.monotonic() - started, "average_duration": None,
              "render_config": None, "changed_state_ids": [], "used_cache": None}
    session.pending += 1
    put = session.messages.put_nowait
    put({"msg": "estimation", "event_id": event_id, "rank": 0, "queue_size": 1,
         "rank_eta": None})
    put({"msg": "process_starts", "event_id": event_id, "eta": None})
    put({"msg": "process_completed", "event_id": event_id, "output": output, "success": True,
         "title": None, "used_cache": None, "cache_duration": None, "avg_time": None})
    return JSONResponse({"event_id": event_id})


async def data(request: Request) -> Response:
    session = SESSIONS.get(request.query_params["session_hash"])

    async def frames() -> AsyncIterator[bytes]:
        if session is None:
            yield frame({"msg": "unexpected_error", "event_id": None,
                         "message": "404: Not Found", "session_not_found": True,
                         "success": False})
            return
        while True:
            message = await session.messages.get()
            yield frame(message)
            if message["msg"] == "process_completed":
                session.pending -= 1
                if session.pending == 0:
                    yield frame({"msg": "close_stream", "event_id": None})
                    return

    return StreamingResponse(frames(), media_type="text/event-stream; charset=utf-8",
                             headers={"Cache-Control": "no-cache"})


app = Starlette(routes=[
    Route("/config", config),
    Route("/gradio_api/queue/join", join, methods=["POST"]),
    Route("/gradio_api/queue/data", data),
])


def main() -> None:
    port = int(sys.argv[1])
    config_ = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                             lifespan="on", timeout_graceful_shutdown=2, access_log=False,
                             proxy_headers=False)
    # uvicorn.Server.run handles SIGINT/SIGTERM itself (it runs in the main thread here).
    uvicorn.Server(config_).run()


if __name__ == "__main__":
    main()
