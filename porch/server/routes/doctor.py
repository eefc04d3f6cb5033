"""Probes for `porch doctor URL` (porch/doctor.py): what a proxy in front of the app does to
a stream, an upload and a cross-site check, measured from the far side of the proxy.

They touch neither files nor state: the stream sends a few numbered messages, the upload
reads and drops its body (bounded by the app's `max_file_size`, as a real upload is), the
echo says what the request looked like on arrival. They sit behind the login gate like every
route (`porch doctor --auth`), and the POST ones behind the cross-site guard, which is what
the origin check is about.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from porch.server.responses import event_stream, json_error
from porch.server.routes.common import root_url, runtime_of
from porch.version import __version__

STREAM_MESSAGES = 5
STREAM_GAP_S = 0.2
# Without a max_file_size the probe still stops somewhere: doctor sends far less.
UPLOAD_CAP = 256 * 1024 * 1024


async def echo(request: Request) -> Response:
    """How the request arrived: the app's public root as computed from it, and the limits."""
    settings = runtime_of(request).settings
    return JSONResponse({
        "porch": __version__,
        "root": root_url(request),
        "scheme": request.url.scheme,
        "host": request.headers.get("host"),
        "max_file_size": settings.max_file_size,
    })


async def stream(request: Request) -> Response:
    """`STREAM_MESSAGES` events `STREAM_GAP_S` apart: a buffering proxy delivers them at once."""

    async def frames() -> AsyncIterator[bytes]:
        for n in range(STREAM_MESSAGES):
            if n:
                await asyncio.sleep(STREAM_GAP_S)
            yield f'data: {{"n": {n}}}\n\n'.encode()

    return event_stream(frames())


async def upload(request: Request) -> Response:
    """Read the body and drop it; 413 past the app's limit while it streams."""
    limit = runtime_of(request).settings.max_file_size or UPLOAD_CAP
    received = 0
    async for chunk in request.stream():
        received += len(chunk)
        if received > limit:
            return json_error(413, f"Uploads are limited to {limit} bytes by this app.")
    return JSONResponse({"received": received})


async def origin(request: Request) -> Response:
    """Reached only if the cross-site guard took the request's Origin for the app's own."""
    return JSONResponse({"same_site": True})
