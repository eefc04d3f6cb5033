"""The running app: its blocks, queue, sessions and files, and how an event is carried out.

Routes are thin; they parse a request and call one method here. This is the only place where
`porch.blocks` (what to run and how to convert values) meets `porch.queue` (when and where to
run it).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import anyio
import anyio.to_thread

from porch import protocol
from porch.blocks.blocks import Blocks
from porch.blocks.events import Dependency
from porch.components.base import Conversion
from porch.errors import Error, FileNotAllowed, InvalidRequest, QueueFull
from porch.files.cache import FileCache
from porch.files.policy import FilePolicy, FileRules
from porch.queue.channels import Channel, MemoryBus
from porch.queue.context import current_reporter
from porch.queue.runner import iterate
from porch.queue.scheduler import Job, Scheduler
from porch.queue.sessions import MemoryStateStore
from porch.server.fetcher import SafeFetcher
from porch.server.settings import Settings

log = logging.getLogger("porch.server")

Send = Callable[[dict[str, Any]], None]


class _InputError(Exception):
    """Wraps a refusal met while converting inputs: its message is safe to show."""


class Reporter:
    """Carries Info/Warning/progress from the app's code (any thread) to the event's stream."""

    def __init__(self, send: Send, event_id: str, loop: asyncio.AbstractEventLoop) -> None:
        self._send = send
        self._event_id = event_id
        self._loop = loop

    def _post(self, message: dict[str, Any]) -> None:
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self._loop:
            self._send(message)
        else:
            self._loop.call_soon_threadsafe(self._send, message)

    def log(self, level: str, message: str, duration: float | None, title: str,
            visible: bool) -> None:
        self._post(protocol.log_message(self._event_id, message, level, duration, visible, title))

    def progress(self, data: list[dict[str, object]]) -> None:
        self._post({"msg": protocol.MSG_PROGRESS, "event_id": self._event_id,
                    "progress_data": data})


class AppRuntime:
    def __init__(self, blocks: Blocks, settings: Settings) -> None:
        self.blocks = blocks
        self.settings = settings
        self.cache = FileCache(settings.cache_base, delete_cache=blocks.delete_cache,
                               max_bytes=settings.cache_max_size)
        self.policy = FilePolicy(
            FileRules.build(
                allowed=list(settings.allowed_paths),
                blocked=list(settings.blocked_paths),
                static=list(settings.static_paths),
                strict=settings.strict_files,
            ),
            self.cache,
        )
        self.fetcher = SafeFetcher(max_bytes=settings.max_file_size or 100 * 1024 * 1024)
        self.scheduler = Scheduler(max_size=blocks.max_queue_size)
        self.bus = MemoryBus()
        self.states = MemoryStateStore()
        self._limiter: anyio.CapacityLimiter | None = None
        self._app_config = blocks.config(self.conversion(settings.root_path))
        self._api_info: dict[bool, dict[str, Any]] = {}
        self._durations: dict[int, tuple[float, int]] = {}

    @property
    def limiter(self) -> anyio.CapacityLimiter:
        # Created on first use, inside the server's event loop.
        if self._limiter is None:
            self._limiter = anyio.CapacityLimiter(self.settings.max_threads)
        return self._limiter

    async def clean_cache_periodically(self) -> None:
        """Drop old entries every `delete_cache` frequency (or each minute under a size cap)."""
        if self.blocks.delete_cache is None and self.settings.cache_max_size is None:
            return
        frequency = self.blocks.delete_cache[0] if self.blocks.delete_cache else 60.0
        while True:
            await anyio.sleep(max(frequency, 1.0))
            removed = await anyio.to_thread.run_sync(self.cache.cleanup)
            if removed:
                log.info("cache cleanup removed %d file(s)", removed)

    async def shutdown(self) -> None:
        await self.scheduler.close()
        self.cache.close()

    # ---- discovery ------------------------------------------------------------------------
    def config(self, root: str) -> dict[str, Any]:
        return {
            **self._app_config,
            "root": root,
            "max_file_size": self.settings.max_file_size,
            "show_error": self.settings.show_error,
            "username": None,
        }

    def api_info(self, all_endpoints: bool = False) -> dict[str, Any]:
        if all_endpoints not in self._api_info:
            self._api_info[all_endpoints] = self.blocks.api_info(all_endpoints)
        return self._api_info[all_endpoints]

    def conversion(self, root: str) -> Conversion:
        prefix = f"{root}{protocol.API_PREFIX}/file="
        return Conversion(policy=self.policy, file_url=lambda path: prefix + quote(path),
                          fetch=lambda url: self.fetcher.fetch(url, self.cache))

    # ---- running events -------------------------------------------------------------------
    def join(self, dep: Dependency, data: Any, session_hash: str, root: str, *,
             simple: bool = False) -> str:
        """Queue an event; its messages go to the session's stream (or, for plain-HTTP
        calls, to a stream of its own). Returns the event id."""
        if dep.fn is None:
            raise InvalidRequest(f"/{dep.api_name} has no Python function to run.", 400)
        event_id = uuid.uuid4().hex
        channel = self.bus.open(f"call:{event_id}" if simple else session_hash)
        channel.add_pending(event_id)
        job = Job(
            key=dep.concurrency_key,
            limit=self.blocks.concurrency_limit_of(dep),
            work=functools.partial(self._work, dep, data, session_hash, root, simple),
            send=channel.send,
            event_id=event_id,
        )
        try:
            self.scheduler.submit(job)
        except QueueFull:
            channel.pending.discard(event_id)
            raise
        return event_id

    def cancel(self, event_id: str) -> None:
        job = self.scheduler.cancel(event_id)
        if job is not None and job.task is None:
            # It never started, so nothing else will close it for the client.
            job.send(protocol.completed(event_id, {}, success=True))

    def cancel_session(self, channel: Channel) -> None:
        """The client left: free its queue slots and stop its running work."""
        for event_id in list(channel.pending):
            self.cancel(event_id)

    async def _work(self, dep: Dependency, data: Any, session_hash: str, root: str,
                    simple: bool, job: Job) -> None:
        await self.execute(dep, data, session_hash, root, job.send, job.event_id,
                           diffs=not simple)

    async def execute(self, dep: Dependency, data: Any, session_hash: str, root: str,
                      send: Send, event_id: str, *, diffs: bool, first_only: bool = False,
                      ) -> None:
        """Run one event, sending `process_generating` / `process_completed` messages."""
        assert dep.fn is not None
        state = self.states.state(session_hash)
        conversion = self.conversion(root)
        token = current_reporter.set(Reporter(send, event_id, asyncio.get_running_loop()))
        started = time.monotonic()
        try:
            # File conversions read, copy or fetch: keep them off the event loop.
            io = any(c.does_io for c in (*dep.inputs, *dep.outputs))
            try:
                if io:
                    args = await anyio.to_thread.run_sync(
                        self.blocks.prepare_inputs, dep, data, state, conversion,
                        limiter=self.limiter)
                else:
                    args = self.blocks.prepare_inputs(dep, data, state, conversion)
            except (FileNotAllowed, InvalidRequest) as exc:
                raise _InputError(str(exc.message if isinstance(exc, InvalidRequest) else exc)
                                  ) from exc
            last: list[Any] | None = None
            async for final, value in iterate(dep.fn, args, self.limiter):
                if io:
                    payload = await anyio.to_thread.run_sync(
                        self.blocks.finish_outputs, dep, value, state, conversion,
                        limiter=self.limiter)
                else:
                    payload = self.blocks.finish_outputs(dep, value, state, conversion)
                if not final:
                    out = payload
                    if diffs and last is not None:
                        pairs = zip(last, payload, strict=True)
                        out = [protocol.diff(old, new) for old, new in pairs]
                    send(protocol.generating(event_id, protocol.success_output(
                        out, generating=True, duration=time.monotonic() - started,
                        average=None)))
                last = payload
                if first_only:
                    break
            if last is None:
                last = [None] * len(dep.outputs)
            duration = time.monotonic() - started
            average = self._record(dep, duration)
            send(protocol.completed(event_id, protocol.success_output(
                last, generating=False, duration=duration, average=average),
                success=True, duration=duration, average=average))
        except asyncio.CancelledError:
            send(protocol.completed(event_id, {}, success=True))
            raise
        except Exception as exc:
            output, title = self.error_output(exc, dep)
            send(protocol.completed(event_id, output, success=False, title=title))
        finally:
            current_reporter.reset(token)

    def _record(self, dep: Dependency, duration: float) -> float:
        total, count = self._durations.get(dep.id, (0.0, 0))
        total, count = total + duration, count + 1
        self._durations[dep.id] = (total, count)
        return total / count

    def error_output(self, exc: BaseException, dep: Dependency) -> tuple[dict[str, Any], str]:
        """The failure output for `exc`: an app `Error` is shown as raised; anything else is
        hidden unless `show_error`, and always logged here."""
        if isinstance(exc, Error):
            return {"error": exc.message, "duration": exc.duration, "visible": exc.visible,
                    "title": exc.title}, exc.title
        if isinstance(exc, _InputError):
            log.info("/%s refused its input: %s", dep.api_name, exc)
            return {"error": str(exc), "visible": True, "title": "Invalid input"}, "Invalid input"
        log.error("/%s raised", dep.api_name, exc_info=exc)
        if self.settings.show_error:
            return {"error": str(exc) or type(exc).__name__, "visible": True}, "Error"
        return {"error": None}, "Error"
