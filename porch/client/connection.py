"""The client's one async core: a connection to a porch or Gradio app.

Discovery (`/config`, `/info`), login, the session and its streams, joining the queue and
cancelling. `AsyncClient` uses it on the caller's loop; `Client` on a private loop thread.
"""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import httpx

from porch.client.call import Call
from porch.client.endpoints import Endpoint, EndpointTable, public_info
from porch.client.resumable import DEFAULT_CHUNK_SIZE, DEFAULT_THRESHOLD, Progress
from porch.client.streams import Heartbeat, SessionStream
from porch.client.transfers import Transfers, raise_for_auth
from porch.errors import AuthenticationError, QueueFull, RemoteError, ValidationError
from porch.version import __version__

SUPPORTED_PROTOCOLS = ("sse_v1", "sse_v2", "sse_v2.1", "sse_v3")
# Short calls (config, info, join, upload, cancel): long enough for a busy server, short
# enough that a wrong address fails fast instead of hanging.
REQUEST_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
DEFAULT_DOWNLOAD_DIR = Path(tempfile.gettempdir()) / "porch-client"


def app_url(src: str) -> str:
    """The app's root URL with a trailing slash, or a ValueError that says what is wrong."""
    if not isinstance(src, str) or not src.startswith(("http://", "https://")):
        raise ValueError(
            f"{src!r} is not an app URL: porch.Client needs the full address of a porch or "
            "Gradio app, e.g. 'http://127.0.0.1:7860/' (Hugging Face Space names are not "
            "resolved; use the Space's *.hf.space URL).")
    return src if src.endswith("/") else src + "/"


def _detail(response: httpx.Response) -> Any:
    try:
        body = response.json()
    except ValueError:
        return response.text.strip()
    return body.get("detail", body) if isinstance(body, dict) else body


def validation_lines(detail: Any) -> list[str]:
    """One line per refused parameter of a 422 answer (Gradio validators or schema errors)."""
    items = detail if isinstance(detail, list) else [detail]
    lines = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            lines.append(f"- {item}")
        elif item.get("__type__") == "validate":
            if item.get("is_valid") is False:
                name = item.get("parameter_name") or f"parameter_{index}"
                lines.append(f"- {name}: {item.get('message', '')}")
        else:
            where = ".".join(str(part) for part in item.get("loc", [])) or f"item {index}"
            lines.append(f"- {where}: {item.get('msg') or item.get('message') or item}")
    return lines


class Connection:
    """An open connection to one app. Every method runs on the loop that opened it."""

    def __init__(self, http: httpx.AsyncClient, src: str, config: dict[str, Any],
                 raw_info: dict[str, Any], download_dir: Path | None,
                 oauth_token: str | None, *, resumable_threshold: int | None = None,
                 upload_chunk_size: int = DEFAULT_CHUNK_SIZE,
                 upload_progress: Progress | None = None) -> None:
        self.http = http
        self.src = src
        self.config = config
        self.protocol = str(config.get("protocol", "ws"))
        prefix = str(config.get("api_prefix", "")).strip("/")
        self.api_url = urljoin(src, prefix + "/") if prefix else src
        self.info = public_info(raw_info)
        self.endpoints = EndpointTable(config, self.info)
        self.oauth_token = oauth_token
        max_size = config.get("max_file_size")
        self.transfers = Transfers(http, self.api_url,
                                   max_size if isinstance(max_size, int) else None,
                                   download_dir, marked_only=self.protocol == "sse_v2.1",
                                   resumable_threshold=resumable_threshold,
                                   chunk_size=upload_chunk_size, progress=upload_progress)
        self.session_hash = str(uuid.uuid4())
        self._streams: dict[str, SessionStream] = {}
        self._heartbeat: Heartbeat | None = None
        if config.get("connect_heartbeat", True):
            self._heartbeat = Heartbeat(http, self.api_url + "heartbeat/{session_hash}")
            self._heartbeat.start(self.session_hash)

    # ---- opening ---------------------------------------------------------------------------
    @classmethod
    async def open(
        cls,
        src: str,
        *,
        auth: tuple[str, str] | None = None,
        headers: dict[str, str] | None = None,
        token: str | None = None,
        oauth_token: str | None = None,
        download_files: str | Path | bool = True,
        ssl_verify: bool = True,
        transport: httpx.AsyncBaseTransport | None = None,
        httpx_kwargs: dict[str, Any] | None = None,
        resumable_threshold: int | None = DEFAULT_THRESHOLD,
        upload_chunk_size: int = DEFAULT_CHUNK_SIZE,
        upload_progress: Progress | None = None,
    ) -> Connection:
        root = app_url(src)
        if upload_chunk_size < 1:
            raise ValueError(f"upload_chunk_size must be at least 1 byte, not "
                             f"{upload_chunk_size}.")
        download_dir = _download_dir(download_files)
        sent = {"user-agent": f"porch-client/{__version__}"}
        if token:
            sent["x-hf-authorization"] = f"Bearer {token}"
        sent.update(headers or {})
        options: dict[str, Any] = {"timeout": REQUEST_TIMEOUT, "verify": ssl_verify,
                                   **(httpx_kwargs or {})}
        http = httpx.AsyncClient(transport=transport, headers=sent, **options)
        try:
            if auth is not None:
                await _login(http, root, auth)
            config = await _get_json(http, root + "config", root)
            _check_version(config, root)
            protocol_name = config.get("protocol")
            if protocol_name not in SUPPORTED_PROTOCOLS:
                raise RemoteError(
                    f"{root} speaks protocol {protocol_name or 'ws'!r}; porch.Client speaks "
                    f"{', '.join(SUPPORTED_PROTOCOLS)} (Gradio 4.x and later, and porch).")
            prefix = str(config.get("api_prefix", "")).strip("/")
            api_url = urljoin(root, prefix + "/") if prefix else root
            info = await _get_json(http, api_url + "info", root, params={"serialize": "False"})
            info.setdefault("named_endpoints", {})
            info.setdefault("unnamed_endpoints", {})
        except BaseException:
            await http.aclose()
            raise
        return cls(http, root, config, info, download_dir, oauth_token,
                   resumable_threshold=resumable_threshold,
                   upload_chunk_size=upload_chunk_size, upload_progress=upload_progress)

    async def close(self) -> None:
        if self._heartbeat is not None:
            self._heartbeat.stop()
        for stream in list(self._streams.values()):
            await stream.close()
        await self.http.aclose()

    # ---- sessions --------------------------------------------------------------------------
    def reset_session(self) -> None:
        """Start a new session: fresh State on the server. Running jobs keep their stream."""
        self.session_hash = str(uuid.uuid4())
        for key in [k for k, s in self._streams.items() if s.idle]:
            del self._streams[key]
        if self._heartbeat is not None:
            self._heartbeat.start(self.session_hash)

    def stream(self, session_hash: str) -> SessionStream:
        stream = self._streams.get(session_hash)
        if stream is None:
            # A porch server keeps every stream's messages for a reattach; a Gradio server
            # drops a session's events when its stream ends, so there is nothing to resume.
            stream = SessionStream(self.http, self.api_url + "queue/data", session_hash,
                                   resumable="porch_version" in self.config)
            self._streams[session_hash] = stream
        return stream

    # ---- calls -----------------------------------------------------------------------------
    def submit(self, endpoint: Endpoint, values: list[Any],
               headers: dict[str, str] | None = None) -> Call:
        return Call(self, endpoint, values, headers)

    def reattach(self, endpoint: Endpoint, event_id: str, session_hash: str) -> Call:
        """Follow an event that was joined earlier (by this client or an earlier process with
        the same client cookie), from its session's first kept message."""
        return Call(self, endpoint, [], None, attach=(event_id, session_hash))

    async def join(self, endpoint: Endpoint, data: list[Any], session_hash: str,
                   headers: dict[str, str] | None) -> str:
        body: dict[str, Any] = {"data": data, "fn_index": endpoint.fn_index,
                                "session_hash": session_hash}
        if self.oauth_token and endpoint.oauth_token is not None:
            body["oauth_token"] = self.oauth_token
        try:
            response = await self.http.post(self.api_url + "queue/join", json=body,
                                            headers={**(headers or {}), "x-gradio-user": "api"})
        except httpx.HTTPError as exc:
            raise RemoteError(f"Could not reach {self.src} to start {endpoint.api_name}: "
                              f"{exc!r}") from exc
        raise_for_auth(response, str(endpoint.api_name or endpoint.fn_index))
        if response.status_code == 503:
            raise QueueFull(f"The queue of {self.src} is full; try again later "
                            f"({_detail(response)}).")
        if response.status_code == 422:
            lines = validation_lines(_detail(response))
            head = f"{len(lines)} parameter(s) failed validation:"
            raise ValidationError("\n".join([head, *lines]), lines)
        if not response.is_success:
            raise RemoteError(f"{self.src} refused {endpoint.api_name or endpoint.fn_index} "
                              f"(HTTP {response.status_code}): {_detail(response)}")
        try:
            event_id = response.json()["event_id"]
        except (ValueError, KeyError, TypeError) as exc:
            raise RemoteError(f"{self.src} answered the join without an event id: "
                              f"{response.text[:200]!r}") from exc
        return str(event_id)

    async def cancel_event(self, endpoint: Endpoint, session_hash: str, event_id: str) -> None:
        """Ask the server to drop a queued event or stop a running one (best effort)."""
        body = {"fn_index": endpoint.fn_index, "session_hash": session_hash,
                "event_id": event_id}
        try:
            await self.http.post(self.api_url + "cancel", json=body)
            await self.http.post(self.api_url + "reset", json={"event_id": event_id})
        except httpx.HTTPError:
            pass  # the job is already cancelled here; the server will drop it on its own


def _download_dir(download_files: str | Path | bool) -> Path | None:
    if download_files is False:
        return None
    if download_files is True:
        return DEFAULT_DOWNLOAD_DIR
    folder = Path(download_files)
    folder.mkdir(parents=True, exist_ok=True)
    if not folder.is_dir():
        raise ValueError(f"download_files={str(folder)!r} is not a directory.")
    return folder


async def _login(http: httpx.AsyncClient, root: str, auth: tuple[str, str]) -> None:
    username, password = auth
    try:
        response = await http.post(root + "login",
                                   data={"username": username, "password": password})
    except httpx.HTTPError as exc:
        raise RemoteError(f"Could not reach {root} to log in: {exc!r}") from exc
    # Gradio answers wrong credentials with 400, porch with 401; both mean the same here.
    if response.status_code in (400, 401, 403):
        raise AuthenticationError(f"Could not log in to {root}: {_detail(response)}")
    if not response.is_success and not response.is_redirect:
        raise RemoteError(f"Logging in to {root} failed with HTTP {response.status_code}.")


async def _get_json(http: httpx.AsyncClient, url: str, root: str,
                    params: dict[str, str] | None = None) -> dict[str, Any]:
    try:
        response = await http.get(url, params=params)
    except httpx.HTTPError as exc:
        raise RemoteError(f"Could not connect to {root}: {exc!r}") from exc
    if response.status_code == 401:
        raise AuthenticationError(
            f"{root} needs a login: pass auth=(username, password) to the client.")
    if not response.is_success:
        raise RemoteError(f"{root} does not look like a porch or Gradio app: GET {url} "
                          f"answered HTTP {response.status_code}.")
    try:
        body = response.json()
    except ValueError as exc:
        raise RemoteError(f"{root} does not look like a porch or Gradio app: GET {url} "
                          "did not answer JSON.") from exc
    if not isinstance(body, dict):
        raise RemoteError(f"GET {url} answered {type(body).__name__}, not an object.")
    return body


def _check_version(config: dict[str, Any], root: str) -> None:
    version = str(config.get("version", ""))
    try:
        major = int(version.split(".")[0])
    except ValueError:
        return  # an unusual version string is the server's business, not a reason to fail
    if major < 4:
        raise RemoteError(f"{root} runs Gradio {version}; porch.Client needs Gradio 4 or later.")
