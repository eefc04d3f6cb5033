"""Large uploads over tus 1.0 (`{api}/upload/tus`, docs/resumable-uploads.md).

A file is sent in chunks of `chunk_size` bytes with PATCH. When a chunk fails on the way
(a dropped connection, a timeout, a 5xx) the client waits a moment, asks with HEAD how far
the server got, and goes on from there: the bytes the server already holds are never sent
again. A server without tus (a Gradio app: its OPTIONS is a 404) makes `upload` answer None,
and the caller uses the plain `POST /upload` instead.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urljoin

import httpx

from porch.errors import AuthenticationError, RemoteError, UploadRejected

Progress = Callable[[int, int, str], object]

TUS_VERSION = "1.0.0"
OFFSET_TYPE = "application/offset+octet-stream"
# 8 MiB: below it one multipart POST is quick even on a slow line, so there is little to
# resume; above it a drop costs real time. None turns tus off; 0 sends every file by tus.
DEFAULT_THRESHOLD = 8 * 1024 * 1024
# 4 MiB a PATCH: a failed chunk is resumed from the server's offset anyway, so the chunk
# size bounds only how long one request runs and how often progress is reported.
DEFAULT_CHUNK_SIZE = 4 * 1024 * 1024
# Waits before the retries after consecutive failures; a chunk that lands resets the count.
BACKOFF = (0.25, 0.5, 1.0, 2.0, 4.0)


class _Retry(Exception):
    """A failure worth a HEAD and another try (the network or a 5xx)."""


def _detail(response: httpx.Response) -> str:
    return response.text.strip()[:500] or response.reason_phrase


class TusUploader:
    """Resumable uploads against one app; `api_url` ends with the API prefix and '/'."""

    def __init__(self, http: httpx.AsyncClient, api_url: str, *,
                 chunk_size: int = DEFAULT_CHUNK_SIZE,
                 backoff: tuple[float, ...] = BACKOFF) -> None:
        if chunk_size < 1:
            raise ValueError(f"upload_chunk_size must be at least 1 byte, not {chunk_size}.")
        self.http = http
        self.endpoint = api_url + "upload/tus"
        self.chunk_size = chunk_size
        self.backoff = backoff
        self._supported: bool | None = None  # learnt from the first OPTIONS

    async def supported(self) -> bool:
        if self._supported is None:
            try:
                answer = await self.http.options(self.endpoint)
            except httpx.HTTPError:
                return False  # the plain upload will say what is wrong with the network
            versions = answer.headers.get("tus-version", "").split(",")
            self._supported = answer.is_success and TUS_VERSION in [v.strip() for v in versions]
        return self._supported

    async def upload(self, source: Path, name: str, size: int,
                     progress: Progress | None = None) -> str | None:
        """The server's reference (`Porch-File-Path`) of `source` sent by tus, or None if
        the server has no tus endpoint."""
        if not await self.supported():
            return None
        location, reference = await self._create(name, size)
        if location is None:
            self._supported = False
            return None
        if reference is not None:  # an empty file is complete once opened
            if progress is not None:
                progress(size, size, name)
            return reference
        with source.open("rb") as handle:
            return await self._send(handle, location, size, name, progress)

    async def _create(self, name: str, size: int) -> tuple[str | None, str | None]:
        metadata = "filename " + base64.b64encode(name.encode("utf-8")).decode("ascii")
        headers = {"Tus-Resumable": TUS_VERSION, "Upload-Length": str(size),
                   "Upload-Metadata": metadata}
        for attempt in range(len(self.backoff) + 1):
            try:
                answer = await self.http.post(self.endpoint, headers=headers)
            except httpx.TransportError as exc:
                await self._wait(attempt, f"Opening the upload of {name} failed: {exc!r}")
                continue
            if answer.status_code >= 500:
                await self._wait(attempt, f"Opening the upload of {name} failed with HTTP "
                                          f"{answer.status_code}: {_detail(answer)}")
                continue
            if answer.status_code in (404, 405):
                return None, None
            _refuse(answer, name)
            location = answer.headers.get("location")
            if not location:
                raise RemoteError(f"The tus server opened the upload of {name} without a "
                                  "Location.")
            # Relative to the POST's URL, as tus says: right behind a prefix or a proxy.
            return urljoin(self.endpoint, location), answer.headers.get("porch-file-path")
        raise AssertionError("unreachable")  # _wait raises after the last attempt

    async def _send(self, handle: BinaryIO, location: str, size: int, name: str,
                    progress: Progress | None) -> str:
        offset, reported, failures = 0, 0, 0
        while True:
            try:
                offset, reference = await self._patch(handle, location, offset, name)
                failures = 0
            except _Retry as exc:
                await self._wait(failures, str(exc))
                failures += 1
                offset = await self._offset(location, name, offset)
                continue
            if progress is not None and offset > reported:
                reported = offset
                progress(offset, size, name)
            if offset >= size:
                if reference is None:
                    raise RemoteError(f"The server took all of {name} but answered no "
                                      "Porch-File-Path (is it a porch app?).")
                return reference

    async def _patch(self, handle: BinaryIO, location: str, offset: int,
                     name: str) -> tuple[int, str | None]:
        handle.seek(offset)
        chunk = handle.read(self.chunk_size)
        headers = {"Tus-Resumable": TUS_VERSION, "Upload-Offset": str(offset),
                   "Content-Type": OFFSET_TYPE}
        try:
            answer = await self.http.patch(location, content=chunk, headers=headers)
        except httpx.TransportError as exc:
            raise _Retry(f"Sending {name} at byte {offset} failed: {exc!r}") from exc
        if answer.status_code >= 500:
            raise _Retry(f"Sending {name} at byte {offset} failed with HTTP "
                         f"{answer.status_code}: {_detail(answer)}")
        if answer.status_code == 409:
            # Another request (our own dropped one, still draining) moved the offset.
            raise _Retry(f"The server holds {name} at another offset than {offset}.")
        _refuse(answer, name)
        new_offset = _offset_of(answer)
        if new_offset is None or (new_offset <= offset and chunk):
            raise RemoteError(f"The server took the chunk of {name} at {offset} without "
                              "moving its Upload-Offset.")
        return new_offset, answer.headers.get("porch-file-path")

    async def _offset(self, location: str, name: str, previous: int) -> int:
        """Where the server stands (HEAD); `previous` if it cannot be asked right now (the
        next PATCH's 409 or failure says more)."""
        try:
            answer = await self.http.head(location, headers={"Tus-Resumable": TUS_VERSION})
        except httpx.TransportError:
            return previous
        if answer.status_code == 404:
            raise RemoteError(f"The server forgot the upload of {name} (expired or "
                              "restarted); send it again.")
        if answer.status_code >= 500:
            return previous
        _refuse(answer, name)
        offset = _offset_of(answer)
        return previous if offset is None else offset

    async def _wait(self, failures: int, message: str) -> None:
        if failures >= len(self.backoff):
            raise RemoteError(f"{message} (gave up after {failures + 1} tries).")
        await asyncio.sleep(self.backoff[failures])


def _offset_of(answer: httpx.Response) -> int | None:
    value = answer.headers.get("upload-offset", "")
    return int(value) if value.isdigit() else None


def _refuse(answer: httpx.Response, name: str) -> None:
    """Raise for a 4xx answer: the request itself is wrong, so a retry would not help."""
    if answer.status_code == 401:
        raise AuthenticationError("Uploading needs a login: pass auth=(username, password) "
                                  "to the client.")
    if answer.status_code == 413:
        raise UploadRejected(f"{name}: {_detail(answer)}", 413)
    if not answer.is_success:
        raise RemoteError(f"The resumable upload of {name} failed with HTTP "
                          f"{answer.status_code}: {_detail(answer)}")
