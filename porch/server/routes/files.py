"""File routes: uploads (streamed, bounded), upload progress, and serving through the gate."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from collections.abc import AsyncIterator, Callable
from typing import Any, BinaryIO

import anyio
import anyio.to_thread
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse

from porch.errors import FileNotAllowed, UploadRejected
from porch.files import media
from porch.files.uploads import MultipartUpload, UploadLimits
from porch.server import shared_progress
from porch.server.responses import event_stream, json_error
from porch.server.routes.common import runtime_of
from porch.server.settings import Settings

log = logging.getLogger("porch.server")

CHUNK = 64 * 1024
# Gradio's frontend sends 11 characters; anything long is only a way to pin memory.
MAX_UPLOAD_ID = 128


class UploadProgress:
    """One upload's progress: written by the parsing thread, read by one SSE reader.

    Received bytes are summed per file between reads, so an upload nobody watches holds a
    few numbers, not a message per chunk.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._lock = threading.Lock()
        self._pending: list[list[Any]] = []  # [orig_name, bytes] in arrival order
        self._wake = asyncio.Event()
        self.finished_at: float | None = None

    def add(self, name: str, size: int) -> None:
        """From any thread: `size` more bytes of file `name` arrived."""
        with self._lock:
            if self._pending and self._pending[-1][0] == name:
                self._pending[-1][1] += size
            else:
                self._pending.append([name, size])
        self._loop.call_soon_threadsafe(self._wake.set)

    def finish(self, now: float) -> None:
        self.finished_at = now
        self._wake.set()

    async def messages(self, timeout: float) -> list[dict[str, object]] | None:
        """The frames since the last call (the last one `done`), or None after `timeout` s."""
        try:
            await asyncio.wait_for(self._wake.wait(), timeout)
        except asyncio.TimeoutError:
            return None
        self._wake.clear()
        with self._lock:
            pending, self._pending = self._pending, []
        frames: list[dict[str, object]] = [
            {"msg": "update", "orig_name": name, "chunk_size": size} for name, size in pending]
        if self.finished_at is not None:
            frames.append({"msg": "done"})
        return frames


class UploadTracker:
    """Progress of uploads that asked for it (`?upload_id=`), for `upload_progress`.

    An entry lives while its upload runs, then until its reader has seen `done` or `ttl`
    seconds have passed, whichever comes first: an upload nobody watches is forgotten soon
    after it ends. Expired entries are dropped whenever a new upload starts.
    """

    def __init__(self, ttl: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self._clock = clock
        self._entries: dict[str, UploadProgress] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def start(self, upload_id: str) -> UploadProgress:
        self._drop_expired()
        progress = UploadProgress(asyncio.get_running_loop())
        self._entries[upload_id] = progress
        return progress

    def finish(self, progress: UploadProgress) -> None:
        progress.finish(self._clock())

    def get(self, upload_id: str) -> UploadProgress | None:
        return self._entries.get(upload_id)

    def forget(self, upload_id: str, progress: UploadProgress) -> None:
        # A newer upload may have reused the id: only its own entry goes.
        if self._entries.get(upload_id) is progress:
            del self._entries[upload_id]

    def _drop_expired(self) -> None:
        cutoff = self._clock() - self.ttl
        for upload_id, progress in list(self._entries.items()):
            if progress.finished_at is not None and progress.finished_at <= cutoff:
                del self._entries[upload_id]


def upload_limits(settings: Settings) -> UploadLimits:
    return UploadLimits(
        max_file_size=settings.max_file_size,
        max_files=settings.max_upload_files,
        max_request_bytes=settings.max_upload_size,
        max_field_bytes=settings.max_upload_field_size,
    )


async def upload(request: Request) -> Response:
    """`POST /gradio_api/upload`: store the `files` parts, answer one cache reference each.

    A reference is `<token>/<name>`: clients send it back as a FileData `path` and fetch it
    with `file=<reference>`; it says nothing about where the cache lives on the host.
    """
    runtime = runtime_of(request)
    content_type = request.headers.get("content-type", "")
    if not content_type.lower().startswith("multipart/form-data"):
        return json_error(400, "Invalid content type.")
    if request.headers.get("content-encoding", "identity").lower() not in ("identity", ""):
        # A compressed body would let a small request expand past every limit.
        return json_error(415, "Compressed request bodies are not accepted.")
    limits = upload_limits(runtime.settings)
    declared = request.headers.get("content-length", "")
    cap = limits.max_request_bytes
    if cap is not None and declared.isdigit() and int(declared) > cap:
        return json_error(413, f"Upload exceeded the maximum allowed size of {cap} bytes per "
                               "request.")
    upload_id = request.query_params.get("upload_id")
    if upload_id is not None and not 0 < len(upload_id) <= MAX_UPLOAD_ID:
        return json_error(400, f"Invalid upload_id: 1 to {MAX_UPLOAD_ID} characters.")
    tracker: UploadTracker = request.app.state.uploads
    progress = tracker.start(upload_id) if upload_id else None
    forwarding = None
    if progress is not None and upload_id and shared_progress.is_shared(runtime.bus):
        # Its reader may be on another replica: the frames go through the shared bus.
        forwarding = asyncio.get_running_loop().create_task(
            shared_progress.forward(progress, runtime.bus, upload_id))
        tracker.forget(upload_id, progress)
    parser: MultipartUpload | None = None
    try:
        parser = MultipartUpload(content_type, runtime.cache, limits,
                                 on_progress=progress.add if progress is not None else None)
        async for chunk in request.stream():
            # Parsing writes to disk: off the event loop, so other clients keep being served.
            await anyio.to_thread.run_sync(parser.feed, chunk)
        entries = await anyio.to_thread.run_sync(parser.finish)
    except UploadRejected as exc:
        if parser is not None:
            parser.abort()
        # Answer now without reading the rest: the server must not buffer an oversize body.
        return json_error(exc.status_code, exc.message)
    except BaseException:
        if parser is not None:
            parser.abort()
        raise
    finally:
        if progress is not None:
            tracker.finish(progress)
        if forwarding is not None:
            await forwarding
    return JSONResponse([runtime.cache.reference(entry) for entry in entries])


async def upload_progress(request: Request) -> Response:
    upload_id = request.query_params.get("upload_id", "")
    bus = runtime_of(request).bus
    if shared_progress.is_shared(bus):
        return await _shared_progress(bus, upload_id)
    tracker: UploadTracker = request.app.state.uploads
    progress = tracker.get(upload_id)
    for _ in range(30):  # the upload may not have started yet: wait up to 3 s
        if progress is not None:
            break
        await anyio.sleep(0.1)
        progress = tracker.get(upload_id)
    if progress is None:
        return PlainTextResponse("Upload not found", status_code=404)
    found = progress

    async def frames() -> AsyncIterator[bytes]:
        while True:
            messages = await found.messages(timeout=15)
            if messages is None:
                yield b'data: {"msg": "heartbeat"}\n\n'
                continue
            for message in messages:
                yield f"data: {json.dumps(message)}\n\n".encode()
            if messages and messages[-1]["msg"] == "done":
                tracker.forget(upload_id, found)
                return

    return event_stream(frames())


async def _shared_progress(bus: Any, upload_id: str) -> Response:
    if not 0 < len(upload_id) <= MAX_UPLOAD_ID or not await shared_progress.find(bus, upload_id):
        return PlainTextResponse("Upload not found", status_code=404)

    async def frames() -> AsyncIterator[bytes]:
        async for message in shared_progress.frames(bus, upload_id):
            if message is None:
                yield b'data: {"msg": "heartbeat"}\n\n'
            else:
                yield f"data: {json.dumps(message)}\n\n".encode()

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
    candidate = runtime.policy.dereference(requested)
    try:
        served = await anyio.to_thread.run_sync(runtime.policy.open_for_serving, candidate)
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
