"""File routes: uploads (streamed, bounded), upload progress, and serving through the gate."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from typing import BinaryIO

import anyio
import anyio.to_thread
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse

from porch.errors import FileNotAllowed, UploadRejected
from porch.files import media
from porch.files.uploads import MultipartUpload, UploadLimits
from porch.server.responses import event_stream, json_error
from porch.server.routes.api import runtime_of

log = logging.getLogger("porch.server")

CHUNK = 64 * 1024


class UploadTracker:
    """Progress of uploads that asked for it (`?upload_id=`), for `upload_progress`."""

    def __init__(self) -> None:
        self._queues: dict[str, asyncio.Queue[dict[str, object]]] = {}

    def open(self, upload_id: str) -> asyncio.Queue[dict[str, object]]:
        return self._queues.setdefault(upload_id, asyncio.Queue())

    def get(self, upload_id: str) -> asyncio.Queue[dict[str, object]] | None:
        return self._queues.get(upload_id)

    def close(self, upload_id: str) -> None:
        self._queues.pop(upload_id, None)


async def upload(request: Request) -> Response:
    runtime = runtime_of(request)
    content_type = request.headers.get("content-type", "")
    if not content_type.lower().startswith("multipart/form-data"):
        return json_error(400, "Invalid content type.")
    if request.headers.get("content-encoding", "identity").lower() not in ("identity", ""):
        # A compressed body would let a small request expand past every limit.
        return json_error(415, "Compressed request bodies are not accepted.")
    upload_id = request.query_params.get("upload_id")
    tracker: UploadTracker = request.app.state.uploads
    progress = tracker.open(upload_id) if upload_id else None

    def on_progress(name: str, size: int) -> None:
        if progress is not None:
            progress.put_nowait({"msg": "update", "orig_name": name, "chunk_size": size})

    parser: MultipartUpload | None = None
    try:
        parser = MultipartUpload(
            content_type,
            runtime.cache,
            UploadLimits(max_file_size=runtime.settings.max_file_size),
            on_progress=on_progress,
        )
        async for chunk in request.stream():
            # Parsing writes to disk: off the event loop, so other clients keep being served.
            await anyio.to_thread.run_sync(parser.feed, chunk)
        entries = await anyio.to_thread.run_sync(parser.finish)
    except UploadRejected as exc:
        if parser is not None:
            parser.abort()
        # Answer now without reading the rest: the server must not buffer an oversize body.
        return PlainTextResponse(exc.message, status_code=exc.status_code)
    except BaseException:
        if parser is not None:
            parser.abort()
        raise
    finally:
        if progress is not None:
            progress.put_nowait({"msg": "done"})
    return JSONResponse([str(entry.path) for entry in entries])


async def upload_progress(request: Request) -> Response:
    upload_id = request.query_params.get("upload_id", "")
    tracker: UploadTracker = request.app.state.uploads
    queue = tracker.get(upload_id)
    for _ in range(30):  # the upload may not have started yet: wait up to 3 s
        if queue is not None:
            break
        await anyio.sleep(0.1)
        queue = tracker.get(upload_id)
    if queue is None:
        return PlainTextResponse("Upload not found", status_code=404)
    found = queue

    async def frames() -> AsyncIterator[bytes]:
        try:
            while True:
                try:
                    message = await asyncio.wait_for(found.get(), 15)
                except asyncio.TimeoutError:
                    yield b'data: {"msg": "heartbeat"}\n\n'
                    continue
                yield f"data: {json.dumps(message)}\n\n".encode()
                if message["msg"] == "done":
                    return
        finally:
            tracker.close(upload_id)

    return event_stream(frames())


def _not_allowed(requested: str) -> Response:
    return json_error(403, f"File not allowed: {requested}.")


async def serve_file(request: Request) -> Response:
    """`GET|HEAD /gradio_api/file=<path>`: only what the gate grants, opened once."""
    runtime = runtime_of(request)
    requested = request.path_params["path"]
    if "://" in requested:
        # URL outputs are fetched by the browser itself; the server never proxies or redirects.
        return _not_allowed(requested)
    try:
        served = await anyio.to_thread.run_sync(runtime.policy.open_for_serving, requested)
    except FileNotAllowed:
        return _not_allowed(requested)
    content_type, disposition = media.serving_headers(served.name, trusted=served.trusted)
    etag = media.etag_for(served.size, served.mtime, served.ino)
    headers = {
        "Content-Disposition": disposition,
        "X-Content-Type-Options": "nosniff",
        "Accept-Ranges": "bytes",
        "ETag": etag,
        "Cache-Control": "private, max-age=0, must-revalidate",
    }
    if media.not_modified(request.headers.get("if-none-match"), etag):
        served.file.close()
        return Response(status_code=304, headers=headers)
    try:
        byte_range = media.parse_range(request.headers.get("range"), served.size)
    except media.RangeNotSatisfiable:
        served.file.close()
        return Response(status_code=416, headers={**headers,
                                                  "Content-Range": f"bytes */{served.size}"})
    start, end, status = 0, served.size - 1, 200
    if byte_range is not None:
        start, end = byte_range
        status = 206
        headers["Content-Range"] = f"bytes {start}-{end}/{served.size}"
    headers["Content-Length"] = str(max(0, end - start + 1))
    if request.method == "HEAD":
        served.file.close()
        return Response(status_code=status, headers=headers, media_type=content_type)
    return StreamingResponse(_read(served.file, start, end), status_code=status,
                             headers=headers, media_type=content_type)


async def _read(file: BinaryIO, start: int, end: int) -> AsyncIterator[bytes]:
    """Stream bytes start..end (inclusive) from the already-checked open file."""
    try:
        await anyio.to_thread.run_sync(file.seek, start)
        remaining = end - start + 1
        while remaining > 0:
            chunk = await anyio.to_thread.run_sync(file.read, min(CHUNK, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            yield chunk
    finally:
        file.close()
