"""`Client` and `AsyncClient`: call a porch or Gradio app's endpoints from Python.

`Client` keeps gradio_client's names, arguments and return shapes, so a script switches by
changing its import. Both faces share one async core (`Connection`); `Client` runs it on a
private event-loop thread, `AsyncClient` on the caller's loop.
"""

from __future__ import annotations

import asyncio
import os
import weakref
from collections.abc import Callable
from typing import Any, Literal

import httpx

from porch.client.connection import DEFAULT_DOWNLOAD_DIR, Connection
from porch.client.endpoints import Endpoint, render
from porch.client.jobs import AsyncJob, Job
from porch.client.loop import LoopThread
from porch.client.resumable import DEFAULT_CHUNK_SIZE, DEFAULT_THRESHOLD, Progress

DownloadFiles = str | os.PathLike[str] | Literal[False]


class _Options:
    """What both faces were asked for, kept until the connection opens."""

    def __init__(self, src: str, *, token: str | None, verbose: bool,
                 auth: tuple[str, str] | None, httpx_kwargs: dict[str, Any] | None,
                 headers: dict[str, str] | None, download_files: DownloadFiles,
                 ssl_verify: bool, oauth_token: str | None,
                 transport: httpx.AsyncBaseTransport | None,
                 resumable_threshold: int | None, upload_chunk_size: int,
                 upload_progress: Progress | None) -> None:
        self.src = src
        self.verbose = verbose
        self.open_kwargs: dict[str, Any] = {
            "auth": auth, "headers": headers, "token": token, "oauth_token": oauth_token,
            "download_files": download_files if download_files is False
            else os.fspath(download_files),
            "ssl_verify": ssl_verify, "transport": transport, "httpx_kwargs": httpx_kwargs,
            "resumable_threshold": resumable_threshold, "upload_chunk_size": upload_chunk_size,
            "upload_progress": upload_progress,
        }

    async def open(self) -> Connection:
        connection = await Connection.open(self.src, **self.open_kwargs)
        if self.verbose:
            print(f"Loaded as API: {connection.src}", flush=True)
        return connection


def _prepare(connection: Connection, api_name: str | None, fn_index: int | None,
             args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Endpoint, list[Any]]:
    endpoint = connection.endpoints.find(api_name, fn_index)
    return endpoint, endpoint.arguments(args, kwargs)


def _view(connection: Connection, all_endpoints: bool | None, print_info: bool,
          return_format: Literal["dict", "str"] | None) -> dict[str, Any] | str | None:
    text = render(connection.src, connection.info, all_endpoints)
    if print_info:
        print(text)
    if return_format == "dict":
        return connection.info
    if return_format == "str":
        return text
    return None


def _run_callbacks(callbacks: Callable[..., Any] | list[Callable[..., Any]] | None,
                   result: Any) -> None:
    for callback in [callbacks] if callable(callbacks) else (callbacks or []):
        if isinstance(result, tuple):
            callback(*result)
        else:
            callback(result)


class Client:
    """A connection to a porch or Gradio app at `src` (its full URL).

    `auth=(user, password)` logs in first; `headers` go with every request;
    `download_files` is where output files are saved (`False` returns their FileData dicts);
    `transport` replaces the network (e.g. `httpx.ASGITransport(app=...)` in tests).
    Input files of at least `resumable_threshold` bytes (8 MiB; 0: every file, None: none)
    go by tus in `upload_chunk_size` chunks and resume after a network error
    (docs/resumable-uploads.md); a server without tus gets the plain upload.
    `upload_progress(bytes_sent, total, filename)` is called as each file's bytes land
    (on the client's own thread; once at the end for a plain upload).
    `token`, `ssl_verify`, `httpx_kwargs` and `oauth_token` mean what they mean in
    gradio_client; `max_workers` and `analytics_enabled` are accepted and unused.
    """

    def __init__(
        self,
        src: str,
        token: str | None = None,
        max_workers: int = 40,
        verbose: bool = True,
        auth: tuple[str, str] | None = None,
        httpx_kwargs: dict[str, Any] | None = None,
        *,
        headers: dict[str, str] | None = None,
        download_files: DownloadFiles = DEFAULT_DOWNLOAD_DIR,
        ssl_verify: bool = True,
        analytics_enabled: bool = True,
        oauth_token: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        resumable_threshold: int | None = DEFAULT_THRESHOLD,
        upload_chunk_size: int = DEFAULT_CHUNK_SIZE,
        upload_progress: Progress | None = None,
    ) -> None:
        options = _Options(src, token=token, verbose=verbose, auth=auth,
                           httpx_kwargs=httpx_kwargs, headers=headers,
                           download_files=download_files, ssl_verify=ssl_verify,
                           oauth_token=oauth_token, transport=transport,
                           resumable_threshold=resumable_threshold,
                           upload_chunk_size=upload_chunk_size,
                           upload_progress=upload_progress)
        self._runner = LoopThread()
        try:
            self._connection = self._runner.run(options.open())
        except BaseException:
            self._runner.stop()
            raise
        self._closer = weakref.finalize(self, _shut, self._runner, self._connection)

    # ---- what gradio_client also offers ---------------------------------------------------
    @property
    def src(self) -> str:
        return self._connection.src

    @property
    def config(self) -> dict[str, Any]:
        return self._connection.config

    @property
    def protocol(self) -> str:
        return self._connection.protocol

    @property
    def session_hash(self) -> str:
        return self._connection.session_hash

    @property
    def endpoints(self) -> dict[int, Endpoint]:
        return dict(self._connection.endpoints.by_index)

    def predict(self, *args: Any, api_name: str | None = None, fn_index: int | None = None,
                headers: dict[str, str] | None = None, **kwargs: Any) -> Any:
        """Call an endpoint and wait for its result (a tuple when it has several outputs)."""
        return self.submit(*args, api_name=api_name, fn_index=fn_index, headers=headers,
                           **kwargs).result()

    def submit(self, *args: Any, api_name: str | None = None, fn_index: int | None = None,
               headers: dict[str, str] | None = None,
               result_callbacks: Callable[..., Any] | list[Callable[..., Any]] | None = None,
               **kwargs: Any) -> Job:
        """Start a call in the background and return its `Job` at once."""
        endpoint, values = _prepare(self._connection, api_name, fn_index, args, kwargs)

        async def start() -> Job:
            return Job(self._connection.submit(endpoint, values, headers), self._runner)

        job = self._runner.run(start())
        if result_callbacks:
            def finished(done: Job) -> None:
                if not done.cancelled() and done.exception() is None:
                    _run_callbacks(result_callbacks, done.result())
            job.add_done_callback(finished)
        return job

    def reattach(self, event_id: str, *, api_name: str | None = None,
                 fn_index: int | None = None, session_hash: str | None = None) -> Job:
        """The `Job` of an event joined earlier, e.g. by a process that has since restarted
        (porch servers; docs/durable-jobs.md): its outputs from the first kept message, then
        its result. Name its endpoint as for `submit`; `session_hash` is the job's (its
        `job.session_hash`; this client's own by default). Another process needs this
        client's cookie too: pass the `client.cookies` it saved as
        `httpx_kwargs={"cookies": saved}`."""
        endpoint = self._connection.endpoints.find(api_name, fn_index)
        session = session_hash or self._connection.session_hash

        async def start() -> Job:
            return Job(self._connection.reattach(endpoint, event_id, session), self._runner)

        return self._runner.run(start())

    @property
    def cookies(self) -> dict[str, str]:
        """The cookies the server gave this client (its client cookie owns its sessions)."""
        return dict(self._connection.http.cookies.items())

    def view_api(self, all_endpoints: bool | None = None, print_info: bool = True,
                 return_format: Literal["dict", "str"] | None = None,
                 ) -> dict[str, Any] | str | None:
        """Print the endpoints; `return_format="dict"` returns them as gradio_client does."""
        return _view(self._connection, all_endpoints, print_info, return_format)

    def reset_session(self) -> None:
        """Start a new session: the app's State starts afresh for the next calls."""
        async def reset() -> None:
            self._connection.reset_session()

        self._runner.run(reset())

    def close(self) -> None:
        """Close the connections and stop the background thread (also done on exit)."""
        self._closer()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<porch.Client {self._connection.src}>"

    def __str__(self) -> str:
        return render(self._connection.src, self._connection.info)


def _shut(runner: LoopThread, connection: Connection) -> None:
    runner.stop(connection.close())


class AsyncClient:
    """The async face of `Client`, with the same arguments.

    Connects on first use, or explicitly with `await client.connect()` or `async with`.
    """

    def __init__(
        self,
        src: str,
        token: str | None = None,
        verbose: bool = True,
        auth: tuple[str, str] | None = None,
        httpx_kwargs: dict[str, Any] | None = None,
        *,
        headers: dict[str, str] | None = None,
        download_files: DownloadFiles = DEFAULT_DOWNLOAD_DIR,
        ssl_verify: bool = True,
        oauth_token: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        resumable_threshold: int | None = DEFAULT_THRESHOLD,
        upload_chunk_size: int = DEFAULT_CHUNK_SIZE,
        upload_progress: Progress | None = None,
    ) -> None:
        self._options = _Options(src, token=token, verbose=verbose, auth=auth,
                                 httpx_kwargs=httpx_kwargs, headers=headers,
                                 download_files=download_files, ssl_verify=ssl_verify,
                                 oauth_token=oauth_token, transport=transport,
                           resumable_threshold=resumable_threshold,
                           upload_chunk_size=upload_chunk_size,
                           upload_progress=upload_progress)
        self._connection: Connection | None = None
        self._opening: asyncio.Lock | None = None

    async def connect(self) -> AsyncClient:
        await self._ready()
        return self

    async def _ready(self) -> Connection:
        if self._connection is not None:
            return self._connection
        if self._opening is None:
            self._opening = asyncio.Lock()
        async with self._opening:
            if self._connection is None:
                self._connection = await self._options.open()
        return self._connection

    @property
    def src(self) -> str:
        return self._connection.src if self._connection else self._options.src

    @property
    def session_hash(self) -> str | None:
        return self._connection.session_hash if self._connection else None

    async def predict(self, *args: Any, api_name: str | None = None,
                      fn_index: int | None = None, headers: dict[str, str] | None = None,
                      **kwargs: Any) -> Any:
        """Call an endpoint and return its result (a tuple when it has several outputs)."""
        job = await self.submit(*args, api_name=api_name, fn_index=fn_index, headers=headers,
                                **kwargs)
        return await job.result()

    async def submit(self, *args: Any, api_name: str | None = None,
                     fn_index: int | None = None, headers: dict[str, str] | None = None,
                     **kwargs: Any) -> AsyncJob:
        """Start a call and return its `AsyncJob` at once."""
        connection = await self._ready()
        endpoint, values = _prepare(connection, api_name, fn_index, args, kwargs)
        return AsyncJob(connection.submit(endpoint, values, headers))

    async def reattach(self, event_id: str, *, api_name: str | None = None,
                       fn_index: int | None = None,
                       session_hash: str | None = None) -> AsyncJob:
        """The `AsyncJob` of an event joined earlier (see `Client.reattach`)."""
        connection = await self._ready()
        endpoint = connection.endpoints.find(api_name, fn_index)
        return AsyncJob(connection.reattach(endpoint, event_id,
                                            session_hash or connection.session_hash))

    async def view_api(self, all_endpoints: bool | None = None, print_info: bool = True,
                       return_format: Literal["dict", "str"] | None = None,
                       ) -> dict[str, Any] | str | None:
        return _view(await self._ready(), all_endpoints, print_info, return_format)

    async def reset_session(self) -> None:
        (await self._ready()).reset_session()

    async def close(self) -> None:
        if self._connection is not None:
            connection, self._connection = self._connection, None
            await connection.close()

    async def __aenter__(self) -> AsyncClient:
        return await self.connect()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
