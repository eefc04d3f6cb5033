"""Response shapes shared by the routes: JSON errors, SSE streams, bounded JSON bodies."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

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


async def read_json(request: Request, limit: int) -> Any:
    """The request's JSON body, refused with 413 past `limit` bytes while it streams."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise InvalidRequest(f"Request body is larger than {limit} bytes.", 413)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise InvalidRequest(f"Request body is larger than {limit} bytes.", 413)
        chunks.append(chunk)
    try:
        return json.loads(b"".join(chunks) or b"null")
    except (ValueError, RecursionError):
        raise InvalidRequest("Request body is not valid JSON.", 400) from None


def require_object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise InvalidRequest(
            [{"type": "dict_type", "loc": ["body"], "msg": "Input should be a JSON object"}], 422
        )
    return body
