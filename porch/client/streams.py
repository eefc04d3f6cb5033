"""The long-lived streams of a session: the queue stream every job's messages arrive on
(`queue/data`, one reader per session, routed by `event_id`) and the heartbeat."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any, Protocol

import httpx

from porch import protocol
from porch.errors import RemoteError

# No read timeout: a job may run for hours without a message. Connecting must not hang.
STREAM_TIMEOUT = httpx.Timeout(10.0, read=None)


class Sink(Protocol):
    """A job waiting for its messages."""

    def deliver(self, message: dict[str, Any]) -> None: ...

    def fail(self, error: BaseException) -> None: ...


async def sse_frames(response: httpx.Response) -> AsyncIterator[tuple[int | None, str]]:
    """(id, data) of each event of a text/event-stream (comments and other fields skipped):
    the id is the event's own `id:` line if it had a numeric one (porch's message ids)."""
    data: list[str] = []
    ident: int | None = None
    async for line in response.aiter_lines():
        if not line:
            if data:
                yield ident, "\n".join(data)
                data = []
            ident = None
            continue
        field, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if field == "data":
            data.append(value)
        elif field == "id" and value.isdigit():
            ident = int(value)
    if data:
        yield ident, "\n".join(data)


# A stream that broke off is reattached for this long (the server waits 30 s by default,
# `reattach_grace`, before it cancels the events of a client that went away).
RESUME_WINDOW_S = 25.0


class StreamBroke(Exception):
    """The connection ended before close_stream: a resumable stream reattaches."""


class SessionStream:
    """The one `queue/data` reader of a session.

    Jobs register their event id once joined; the reader hands each message to its job. A
    reader ends on `close_stream` (or when the connection ends). Jobs that were registered
    before it connected cannot legitimately still be pending then, so they fail; jobs that
    joined while it was ending get a fresh reader (the server keeps their messages).

    `resumable` (a porch server, docs/durable-jobs.md): the reader sends the id of the last
    message it saw, and when the connection breaks off it reattaches from there for up to
    RESUME_WINDOW_S, so its jobs get every message once and never notice the break.
    """

    def __init__(self, http: httpx.AsyncClient, url: str, session_hash: str,
                 resumable: bool = False) -> None:
        self._http = http
        self._url = url
        self.session_hash = session_hash
        self.resumable = resumable
        self.cursor = 0  # the id of the last message read (resumable streams)
        self._sinks: dict[str, Sink] = {}
        # Messages that beat their job's registration (the join reply can arrive after the
        # stream already carried the first messages), and events the caller gave up on.
        self._early: dict[str, list[dict[str, Any]]] = {}
        self._dropped: set[str] = set()
        self._task: asyncio.Task[None] | None = None

    @property
    def pending(self) -> int:
        return len(self._sinks)

    @property
    def idle(self) -> bool:
        """Nothing to carry and no reader running: safe to drop."""
        return not self._sinks and (self._task is None or self._task.done())

    def register(self, event_id: str, sink: Sink) -> None:
        self._sinks[event_id] = sink
        for message in self._early.pop(event_id, []):
            self._route(message)
        if event_id in self._sinks and (self._task is None or self._task.done()):
            self._task = asyncio.get_running_loop().create_task(self._read())

    def forget(self, event_id: str) -> None:
        """Stop routing an event's messages (its job was cancelled)."""
        if self._sinks.pop(event_id, None) is not None:
            self._dropped.add(event_id)
        self._early.pop(event_id, None)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def _route(self, message: dict[str, Any]) -> None:
        event_id = message.get("event_id")
        if not isinstance(event_id, str):
            return
        sink = self._sinks.get(event_id)
        completed = message.get("msg") == protocol.MSG_COMPLETED
        if sink is None:
            if event_id in self._dropped:
                if completed:
                    self._dropped.discard(event_id)
            else:
                self._early.setdefault(event_id, []).append(message)
            return
        if completed:
            del self._sinks[event_id]
        sink.deliver(message)

    def _fail_all(self, error: BaseException) -> None:
        sinks, self._sinks = self._sinks, {}
        for sink in sinks.values():
            sink.fail(error)

    async def _read(self) -> None:
        covered = set(self._sinks)
        ended: BaseException = RemoteError(
            f"The server closed the event stream of {self._url} before the job finished.")
        try:
            ended = await self._read_resuming()
        finally:
            self._task = None
        for event_id in covered:
            sink = self._sinks.pop(event_id, None)
            if sink is not None:
                sink.fail(ended)
        if self._sinks:
            self._task = asyncio.get_running_loop().create_task(self._read())

    async def _read_resuming(self) -> BaseException:
        """Read until close_stream; returns what to tell jobs that are still waiting then.
        A resumable stream that breaks off reattaches from its cursor meanwhile."""
        loop = asyncio.get_running_loop()
        give_up = loop.time() + RESUME_WINDOW_S
        delay = 0.1
        while True:
            try:
                return await self._read_once()
            except StreamBroke as broke:
                if not self.resumable or loop.time() > give_up:
                    ended = RemoteError(str(broke))
                    ended.__cause__ = broke.__cause__
                    return ended
            await asyncio.sleep(delay)
            delay = min(delay * 2, 2.0)

    async def _read_once(self) -> BaseException:
        params: dict[str, Any] = {"session_hash": self.session_hash}
        if self.resumable:
            params["last_event_id"] = self.cursor
        try:
            async with self._http.stream("GET", self._url, params=params,
                                         timeout=STREAM_TIMEOUT) as response:
                if not response.is_success:
                    await response.aread()
                    failed = RemoteError(f"The event stream {self._url} answered HTTP "
                                         f"{response.status_code}: {response.text[:300]}")
                    if response.status_code >= 500 or response.status_code == 429:
                        raise StreamBroke(str(failed))
                    return failed  # a refusal (e.g. the results are gone): no retry helps
                async for ident, text in sse_frames(response):
                    if ident is not None:
                        if ident <= self.cursor:
                            continue  # already read before the break
                        self.cursor = ident
                    if self._handle(text):
                        return RemoteError(f"The server closed the event stream of "
                                           f"{self._url} before the job finished.")
        except httpx.HTTPError as exc:
            raise StreamBroke(f"The event stream {self._url} broke off: {exc!r}") from exc
        except Exception as exc:  # any failure at all must reach the waiting jobs
            ended = RemoteError(f"The event stream {self._url} broke off: {exc!r}")
            ended.__cause__ = exc
            return ended
        raise StreamBroke(f"The server closed the event stream of {self._url} before the "
                          "job finished.")

    def _handle(self, text: str) -> bool:
        """Route one frame; True when the stream is over."""
        try:
            message = json.loads(text)
        except ValueError:
            return False  # e.g. "ALIVE": a keep-alive in some other form
        if not isinstance(message, dict):
            return False
        kind = message.get("msg")
        if kind == protocol.MSG_CLOSE:
            return True
        if kind == protocol.MSG_UNEXPECTED or (
                message.get("event_id") is None and message.get("message")):
            # Not tied to one event: the session or the server is gone, for every job.
            self._fail_all(RemoteError(
                f"The server reported an error for the session: "
                f"{message.get('message') or 'unexpected error'}"))
            return False
        if kind == protocol.MSG_HEARTBEAT:
            return False
        self._route(message)
        return False


class Heartbeat:
    """Keeps `heartbeat/{session}` open so the server keeps the session's state alive.

    Reconnects when the stream ends or the server is briefly unavailable; gives up on a
    refusal (4xx other than 429), since such a server has no heartbeat to offer.
    """

    def __init__(self, http: httpx.AsyncClient, url_template: str) -> None:
        self._http = http
        self._template = url_template
        self._task: asyncio.Task[None] | None = None

    def start(self, session_hash: str) -> None:
        self.stop()
        url = self._template.format(session_hash=session_hash)
        self._task = asyncio.get_running_loop().create_task(self._run(url))

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None

    async def _run(self, url: str) -> None:
        delay = 1.0
        while True:
            try:
                async with self._http.stream("GET", url, timeout=STREAM_TIMEOUT) as response:
                    if not response.is_success:
                        if response.status_code != 429 and response.status_code < 500:
                            return
                    else:
                        async for _ in response.aiter_lines():
                            delay = 1.0
            except httpx.HTTPError:
                pass
            await asyncio.sleep(delay)
            delay = min(delay * 2, 30.0)
