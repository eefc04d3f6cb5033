"""Resumable uploads over the tus 1.0 protocol (core, creation, termination).

`POST {P}/upload/tus` with `Upload-Length` (and `Upload-Metadata: filename <base64>`) opens
an upload and answers its `Location`; `PATCH` appends at `Upload-Offset`; `HEAD` says how far
it got; `DELETE` ends it. Every answer about an id that is unknown, expired or another
client's is the same 404. The same limits as `/upload` hold: `max_file_size` is checked
against the declared length before any byte, and every chunk against it while it streams.
On the last byte the file is a normal cache entry: the PATCH (and any later HEAD) carries
`Porch-File-Path`, the reference `/upload` would have answered, usable as a FileData `path`.
"""

from __future__ import annotations

import base64
import binascii
import re

import anyio
import anyio.to_thread
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from porch.errors import UploadRejected
from porch.server.clients import identity
from porch.server.partial_uploads import PartialUpload, PartialUploads
from porch.server.routes.common import runtime_of

TUS_VERSION = "1.0.0"
EXTENSIONS = "creation,creation-with-upload,termination"
OFFSET_TYPE = "application/offset+octet-stream"
_ID = re.compile(r"[0-9a-f]{32}")
_MAX_METADATA = 4096
_MAX_DIGITS = 20


def store_of(request: Request) -> PartialUploads:
    store: PartialUploads = request.app.state.tus  # made (and closed) by create_app
    return store


def _headers(**extra: str) -> dict[str, str]:
    return {"Tus-Resumable": TUS_VERSION, "Cache-Control": "no-store", **extra}


def _answer(status: int, message: str = "", **extra: str) -> Response:
    return Response(message, status_code=status, headers=_headers(**extra),
                    media_type="text/plain")


def _owner(request: Request) -> str:
    _, key = identity(request, runtime_of(request).client_cookie)
    return key


def _number(value: str | None) -> int | None:
    if value is None or not value.isdigit() or len(value) > _MAX_DIGITS:
        return None
    return int(value)


def _filename(metadata: str) -> str | None:
    """The `filename` pair of Upload-Metadata, decoded; None if absent or malformed."""
    for pair in metadata.split(","):
        key, _, value = pair.strip().partition(" ")
        if key == "filename":
            try:
                return base64.b64decode(value.strip(), validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                return None
    return None


def _version_refused(request: Request) -> Response | None:
    if request.headers.get("tus-resumable") != TUS_VERSION:
        return _answer(412, "Unsupported Tus-Resumable version.", **{"Tus-Version": TUS_VERSION})
    return None


def _state(upload: PartialUpload, reference: str | None, **extra: str) -> dict[str, str]:
    headers = {"Upload-Offset": str(upload.offset), "Upload-Length": str(upload.length), **extra}
    if reference is not None:
        headers["Porch-File-Path"] = reference
    return headers


def _reference(request: Request, upload: PartialUpload) -> str | None:
    return runtime_of(request).cache.reference(upload.entry) if upload.entry else None


async def options(request: Request) -> Response:
    max_size = runtime_of(request).settings.max_file_size
    extra = {"Tus-Version": TUS_VERSION, "Tus-Extension": EXTENSIONS}
    if max_size is not None:
        extra["Tus-Max-Size"] = str(max_size)
    return Response(status_code=204, headers=_headers(**extra))


async def create(request: Request) -> Response:
    if (refused := _version_refused(request)) is not None:
        return refused
    length = _number(request.headers.get("upload-length"))
    if length is None:
        return _answer(400, "Upload-Length must be a non-negative integer.")
    metadata = request.headers.get("upload-metadata", "")
    if len(metadata) > _MAX_METADATA:
        return _answer(400, "Upload-Metadata is too long.")
    filename = _filename(metadata) or "upload"
    max_size = runtime_of(request).settings.max_file_size
    try:
        upload = await anyio.to_thread.run_sync(
            lambda: store_of(request).create(_owner(request), length, filename, max_size))
    except UploadRejected as exc:
        return _answer(exc.status_code, exc.message)
    # Relative to the POST's URL: right behind any prefix or proxy, as tus clients resolve it.
    location = f"tus/{upload.upload_id}"
    if request.headers.get("content-type") == OFFSET_TYPE and upload.entry is None:
        answer = await _receive(request, upload, 0)  # creation-with-upload
        answer.status_code = 201 if answer.status_code == 204 else answer.status_code
        answer.headers["Location"] = location
        return answer
    return _answer(201, **_state(upload, _reference(request, upload), Location=location))


async def head(request: Request) -> Response:
    if (refused := _version_refused(request)) is not None:
        return refused
    upload = _find(request)
    if upload is None:
        return _answer(404)
    return Response(status_code=200, headers=_headers(
        **_state(upload, _reference(request, upload))))


async def patch(request: Request) -> Response:
    if (refused := _version_refused(request)) is not None:
        return refused
    upload = _find(request)
    if upload is None:
        return _answer(404, "Upload not found.")
    if request.headers.get("content-type") != OFFSET_TYPE:
        return _answer(415, f"Content-Type must be {OFFSET_TYPE}.")
    offset = _number(request.headers.get("upload-offset"))
    if offset is None:
        return _answer(400, "Upload-Offset must be a non-negative integer.")
    return await _receive(request, upload, offset)


async def _receive(request: Request, upload: PartialUpload, offset: int) -> Response:
    """Append the body at `offset`; 409 (nothing written) unless that is where it stands."""
    store = store_of(request)
    if request.headers.get("content-encoding", "identity").lower() not in ("identity", ""):
        return _answer(415, "Compressed request bodies are not accepted.")
    if not upload.busy.acquire(blocking=False):
        return _answer(409, "Another request is writing this upload.")
    try:
        if offset != upload.offset or upload.entry is not None:
            return _answer(409, "Upload-Offset does not match the upload's offset.",
                           **_state(upload, _reference(request, upload)))
        declared = _number(request.headers.get("content-length"))
        if declared is not None and offset + declared > upload.length:
            return _answer(413, "The body goes past the declared Upload-Length.")
        try:
            async for chunk in request.stream():
                if chunk:
                    await anyio.to_thread.run_sync(store.append, upload, chunk)
        except UploadRejected as exc:
            return _answer(exc.status_code, exc.message,
                           **_state(upload, _reference(request, upload)))
        except ClientDisconnect:
            # What arrived stays: the client's HEAD finds the offset to resume from.
            return _answer(400, "The connection dropped.", **_state(upload, None))
    finally:
        upload.busy.release()
    return Response(status_code=204, headers=_headers(
        **_state(upload, _reference(request, upload))))


async def delete(request: Request) -> Response:
    if (refused := _version_refused(request)) is not None:
        return refused
    upload = _find(request)
    if upload is None:
        return _answer(404, "Upload not found.")
    if not upload.busy.acquire(blocking=False):
        return _answer(409, "Another request is writing this upload.")
    try:
        await anyio.to_thread.run_sync(store_of(request).delete, upload)
    finally:
        upload.busy.release()
    return Response(status_code=204, headers=_headers())


def _find(request: Request) -> PartialUpload | None:
    upload_id = request.path_params["upload_id"]
    if not _ID.fullmatch(upload_id):
        return None
    return store_of(request).get(upload_id, _owner(request))
