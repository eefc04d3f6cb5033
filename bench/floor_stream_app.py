"""The streaming floor: the least Starlette + uvicorn can do to stream `tokens(n)`.

Usage: python bench/floor_stream_app.py [inline] PORT

Same wire as porch and Gradio for bench/stream_app.py (PROTOCOL.md §3): `queue/join` with
`{"data": [n]}` answers an event id, and `queue/data` streams `estimation`,
`process_starts`, one `process_generating` per token (the first with the whole value, then
`append` diffs, as sse_v3 does), `process_completed` and `close_stream`. The generator is
the same plain `def` as the app's, stepped in a worker thread the way Starlette steps a sync
iterator (`iterate_in_threadpool`): the cost every server pays for a `def` generator. No
scheduler, no validation, no diffing beyond the append, no State: the gap between a
framework and this floor is the framework's own cost per streamed message.

`inline` steps the generator on the event loop instead, with no thread hop: the least any
server can do, but one no framework may do with a user's `def` (it would block every other
client while the function runs).
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import uvicorn
from floor_app import SESSIONS, Session, frame
from starlette.applications import Starlette
from starlette.concurrency import iterate_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route
from stream_app import tokens

CONFIG: dict[str, Any] = {
    "version": "6.31.0", "protocol": "sse_v3", "api_prefix": "/gradio_api",
    "connect_heartbeat": False, "max_file_size": None,
    "components": [{"id": 1, "type": "number"}, {"id": 2, "type": "textbox"}],
    "dependencies": [{"id": 0, "api_name": "tokens", "inputs": [1], "outputs": [2],
                      "backend_fn": True, "api_visibility": "public"}],
}

INLINE = len(sys.argv) > 2 and sys.argv[1] == "inline"


async def inline(steps: Iterator[str]) -> AsyncIterator[str]:
    for text in steps:
        yield text


# Events joined but not yet streamed: the stream steps their generators.
WAITING: dict[str, list[tuple[str, Iterator[str]]]] = {}


async def config(request: Request) -> Response:
    return JSONResponse(CONFIG)


async def join(request: Request) -> Response:
    body = await request.json()
    session_hash = body["session_hash"]
    SESSIONS.setdefault(session_hash, Session())
    event_id = uuid.uuid4().hex
    WAITING.setdefault(session_hash, []).append((event_id, tokens(body["data"][0])))
    return JSONResponse({"event_id": event_id})


def generating(event_id: str, output: Any) -> dict[str, Any]:
    return {"msg": "process_generating", "event_id": event_id, "success": True,
            "output": {"data": [output], "is_generating": True}}


async def data(request: Request) -> Response:
    session_hash = request.query_params["session_hash"]
    events = WAITING.pop(session_hash, [])

    async def frames() -> AsyncIterator[bytes]:
        for event_id, steps in events:
            yield frame({"msg": "estimation", "event_id": event_id, "rank": 0,
                         "queue_size": 1, "rank_eta": None})
            yield frame({"msg": "process_starts", "event_id": event_id, "eta": None})
            shown = ""
            async for text in (inline(steps) if INLINE else iterate_in_threadpool(steps)):
                if shown and text.startswith(shown):
                    yield frame(generating(event_id, [["append", [], text[len(shown):]]]))
                else:
                    yield frame(generating(event_id, text))
                shown = text
            yield frame({"msg": "process_completed", "event_id": event_id, "success": True,
                         "output": {"data": [shown], "is_generating": False}})
        yield frame({"msg": "close_stream", "event_id": None})

    return StreamingResponse(frames(), media_type="text/event-stream; charset=utf-8",
                             headers={"Cache-Control": "no-cache"})


app = Starlette(routes=[
    Route("/config", config),
    Route("/gradio_api/queue/join", join, methods=["POST"]),
    Route("/gradio_api/queue/data", data),
])


def main() -> None:
    config_ = uvicorn.Config(app, host="127.0.0.1", port=int(sys.argv[-1]),
                             log_level="warning", lifespan="on", timeout_graceful_shutdown=2,
                             access_log=False, proxy_headers=False)
    uvicorn.Server(config_).run()


if __name__ == "__main__":
    main()
