"""Files between the caller and the app: `handle_file` marks an input, uploads send it,
downloads fetch what the app returns into `<dir>/<sha256>/<name>`."""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from collections.abc import Awaitable, Callable
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

import httpx

from porch import protocol
from porch.client.resumable import DEFAULT_CHUNK_SIZE, Progress, TusUploader
from porch.errors import AuthenticationError, RemoteError, UploadRejected


def is_url(value: str) -> bool:
    return value.startswith(("http://", "https://"))


def handle_file(path_or_url: str | os.PathLike[str]) -> dict[str, Any]:
    """Mark a local file (uploaded when the call is made) or a URL (fetched by the app) as a
    file input. Pass the result where the endpoint takes a file."""
    text = os.fspath(path_or_url)
    marked = {"path": text, "meta": {"_type": protocol.FILE_DATA_TYPE}}
    if is_url(text):
        name = PurePosixPath(urlsplit(text).path).name or "file"
        return {**marked, "orig_name": name, "url": text}
    if not Path(text).is_file():
        raise ValueError(f"{text} is neither a file on this machine nor an http(s) URL.")
    return {**marked, "orig_name": Path(text).name}


# Characters that a server would strip or that break a path or a shell on some platform.
_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]')


def safe_name(name: str) -> str:
    cleaned = _UNSAFE.sub("", name).strip()
    return cleaned if cleaned not in ("", ".", "..") else "file"


async def map_values(value: Any, test: Callable[[Any], bool],
                     change: Callable[[dict[str, Any]], Awaitable[Any]]) -> Any:
    """`value` with every dict that passes `test` replaced by `await change(it)`, depth first."""
    if isinstance(value, dict):
        if test(value):
            return await change(value)
        return {k: await map_values(v, test, change) for k, v in value.items()}
    if isinstance(value, list):
        return [await map_values(v, test, change) for v in value]
    if isinstance(value, tuple):
        return tuple([await map_values(v, test, change) for v in value])
    return value


def _detail(response: httpx.Response) -> str:
    """An error reply's message: JSON `{"detail": ...}` (porch) or plain text (Gradio)."""
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):
        detail = None
    return detail if isinstance(detail, str) else response.text.strip()


def raise_for_auth(response: httpx.Response, what: str) -> None:
    if response.status_code == 401:
        raise AuthenticationError(
            f"{what} needs a login: pass auth=(username, password) to the client.")


class Transfers:
    """Uploads and downloads against one app (`api_url` ends with the API prefix and '/')."""

    def __init__(self, http: httpx.AsyncClient, api_url: str, max_file_size: int | None,
                 download_dir: Path | None, *, marked_only: bool,
                 resumable_threshold: int | None = None, chunk_size: int | None = None,
                 progress: Progress | None = None) -> None:
        self.http = http
        self.api_url = api_url
        self.max_file_size = max_file_size
        self.download_dir = download_dir
        # sse_v2.1 servers mark every output file; sse_v3 ones may send bare {"path": ...}.
        self.marked_only = marked_only
        # Files of at least `resumable_threshold` bytes go by tus (None: never).
        self.resumable_threshold = resumable_threshold
        self.resumable = TusUploader(http, api_url, chunk_size=chunk_size or DEFAULT_CHUNK_SIZE)
        self.progress = progress

    # ---- uploads ----------------------------------------------------------------------------
    async def upload_inputs(self, values: list[Any]) -> list[Any]:
        result: list[Any] = await map_values(values, protocol.is_file_data, self.upload)
        return result

    async def upload(self, marked: dict[str, Any]) -> dict[str, Any]:
        """Send one marked local file; a URL is left for the app to fetch."""
        path = str(marked.get("path", ""))
        if is_url(path) or marked.get("is_stream"):
            return marked
        source = Path(path)
        try:
            size = source.stat().st_size
        except OSError as exc:
            raise ValueError(f"Cannot read input file {path}: {exc.strerror}.") from exc
        if self.max_file_size is not None and size > self.max_file_size:
            raise UploadRejected(
                f"File {path} is {size} bytes, over the app's max_file_size of "
                f"{self.max_file_size} bytes.", 413)
        name = str(marked.get("orig_name") or source.name)
        if self.resumable_threshold is not None and size >= self.resumable_threshold:
            reference = await self.resumable.upload(source, safe_name(name), size,
                                                    self.progress)
            if reference is not None:
                return {"path": reference, "orig_name": safe_name(name),
                        "meta": {"_type": protocol.FILE_DATA_TYPE}}
            # No tus on this server (a Gradio app): the plain upload below.
        remote = await self._post(path, source, name)
        if self.progress is not None:
            self.progress(size, size, safe_name(name))
        return {"path": remote, "orig_name": safe_name(name),
                "meta": {"_type": protocol.FILE_DATA_TYPE}}

    async def _post(self, path: str, source: Path, name: str) -> str:
        """`POST /upload` of one file; the server's reference to it."""
        try:
            with source.open("rb") as handle:
                response = await self.http.post(self.api_url + "upload",
                                                files=[("files", (safe_name(name), handle))])
        except httpx.HTTPError as exc:
            raise RemoteError(f"Uploading {path} to {self.api_url} failed: {exc}") from exc
        raise_for_auth(response, "Uploading")
        if response.status_code == 413:
            raise UploadRejected(_detail(response) or "File too large.", 413)
        if not response.is_success:
            raise RemoteError(f"Uploading {path} failed with HTTP {response.status_code}: "
                              f"{_detail(response)[:500]}")
        try:
            remote = response.json()[0]
        except (ValueError, IndexError, KeyError, TypeError) as exc:
            raise RemoteError(f"The upload of {path} got an unexpected reply: "
                              f"{response.text[:200]!r}") from exc
        # porch answers an opaque cache reference, Gradio an absolute server path; either is
        # only echoed back (as the FileData path) and fetched as `file=<it>`.
        if not isinstance(remote, str) or not remote:
            raise RemoteError(f"The upload of {path} got an unexpected reply: "
                              f"{response.text[:200]!r}")
        return remote

    # ---- downloads --------------------------------------------------------------------------
    def is_output_file(self, value: Any) -> bool:
        if self.marked_only:
            return protocol.is_file_data(value) and isinstance(value.get("path"), str)
        return isinstance(value, dict) and isinstance(value.get("path"), str)

    async def download_outputs(self, values: list[Any]) -> list[Any]:
        if self.download_dir is None:
            return values
        result: list[Any] = await map_values(values, self.is_output_file, self.download)
        return result

    def _same_origin(self, url: str) -> bool:
        mine, theirs = httpx.URL(self.api_url), httpx.URL(url)
        return (mine.scheme, mine.host, mine.port) == (theirs.scheme, theirs.host, theirs.port)

    async def download(self, file: dict[str, Any]) -> str:
        """Fetch an output file; returns the local path `<dir>/<sha256 of bytes>/<name>`."""
        path = str(file["path"])
        url = file.get("url")
        if file.get("is_stream") and isinstance(url, str) and url:
            # Streamed media live at their own URL, not under file=.
            source = urljoin(self.api_url, url)
        elif is_url(path):
            # The app returned a link: fetch it where it is (porch serves no proxy).
            source = path
        else:
            source = self.api_url + "file=" + quote(path, safe="/")
        name = safe_name(PurePosixPath(urlsplit(path).path if is_url(path) else
                                       path.replace("\\", "/")).name)
        if self._same_origin(source):
            return await self._fetch(self.http, source, path, name)
        # Another host gets neither the app's cookies nor the caller's headers.
        async with httpx.AsyncClient(timeout=self.http.timeout) as outside:
            return await self._fetch(outside, source, path, name)

    async def _fetch(self, http: httpx.AsyncClient, source: str, path: str, name: str) -> str:
        assert self.download_dir is not None
        folder = self.download_dir
        folder.mkdir(parents=True, exist_ok=True)
        partial = folder / f".partial-{secrets.token_hex(8)}"
        digest = hashlib.sha256()
        try:
            try:
                async with http.stream("GET", source, follow_redirects=True) as response:
                    raise_for_auth(response, "Downloading")
                    if not response.is_success:
                        raise RemoteError(f"Downloading output file {path} failed with HTTP "
                                          f"{response.status_code}.")
                    with partial.open("wb") as out:
                        async for chunk in response.aiter_bytes():
                            digest.update(chunk)
                            out.write(chunk)
            except httpx.HTTPError as exc:
                raise RemoteError(f"Downloading output file {path} failed: {exc}") from exc
            target = folder / digest.hexdigest() / name
            target.parent.mkdir(exist_ok=True)
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
        return str(target.resolve())
