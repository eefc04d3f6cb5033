"""Response shapes shared by the routes: JSON errors, SSE streams, bounded JSON bodies."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import anyio
from starlette.requests import Request
from starlette.responses import JSONResponse, StreamingResponse

from porch.errors import InvalidRequest

SSE_HEADERS = {
    "Cache-Control": "no-cache",
    # nginx and friends would otherwise hold messages back until a buffer fills.
    "X-Accel-Buffering": "no",
}


def json_error(status: int, detail: Any) -> JSONResponse:
    """The FastAPI-style error body gradio_client and Gradio's frontend expect."""
    return JSONResponse({"detail": detail}, status_code=status)


def event_stream(frames: AsyncIterator[bytes]) -> StreamingResponse:
    return StreamingResponse(
        frames, media_type="text/event-stream; charset=utf-8", headers=SSE_HEADERS
    )


# Parsing a few kilobytes costs less than a thread hop; above this, json.loads runs in a
# worker thread so that one big body does not stall every other client's stream.
PARSE_IN_THREAD_ABOVE = 64 * 1024


def _too_large(limit: int) -> InvalidRequest:
    return InvalidRequest(
        f"Request body is larger than {limit} bytes, this app's limit for JSON bodies "
        "(the app's author can raise it with launch(max_json_size=...)).", 413)


async def read_json(request: Request, limit: int) -> Any:
    """The request's JSON body, refused with 413 past `limit` bytes while it streams.

    A declared Content-Length over the limit is refused before a byte is read, and a body
    without one is counted as it arrives, so no more than `limit` bytes are ever held.
    """
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    raw = b"".join(chunks) or b"null"
    del chunks
    try:
        if len(raw) > PARSE_IN_THREAD_ABOVE:
            return await anyio.to_thread.run_sync(json.loads, raw)
        return json.loads(raw)
    except (ValueError, RecursionError):
        raise InvalidRequest("Request body is not valid JSON.", 400) from None


def require_object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise InvalidRequest(
            [{"type": "dict_type", "loc": ["body"], "msg": "Input should be a JSON object"}], 422
        )
    return body
