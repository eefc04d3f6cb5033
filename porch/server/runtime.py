"""The running app: its blocks, queue, sessions and files, and how an event is carried out.

Routes are thin; they parse a request and call one method here. This is the only place where
`porch.blocks` (what to run and how to convert values) meets `porch.queue` (when and where to
run it).
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import time
import uuid
from collections.abc import AsyncGenerator, Callable, Coroutine, MutableMapping
from typing import Any, TypeVar
from urllib.parse import quote

import anyio
import anyio.to_thread

from porch import protocol
from porch.blocks.blocks import Blocks
from porch.blocks.context import EventContext
from porch.blocks.events import Dependency
from porch.blocks.render import RenderScope
from porch.blocks.updates import session_view
from porch.caching import CacheMiss, forget_session, is_cached
from porch.caching.scope import CacheUse, event_scope
from porch.components.base import Block, Conversion, current_conversion
from porch.components.link_buttons import DeepLinkButton
from porch.components.state import State
from porch.errors import FileNotAllowed, InvalidRequest, QueueFull
from porch.files.cache import FileCache
from porch.files.policy import FilePolicy, FileRules
from porch.files.retention import current_holder, default_max_bytes
from porch.queue.channels import MessageStream, Retention
from porch.queue.pump import pump
from porch.queue.scheduler import Job
from porch.queue.sessions import SessionBudget
from porch.reporting import Progress, current_reporter, track_tqdm, untrack_tqdm
from porch.server.backend import Backend, MemoryBackend
from porch.server.batches import one_call_of_batch, run_batch
from porch.server.cache_probe import answer_or_queue
from porch.server.calls import Call, Durations, InputError, failure_output, time_limit_error
from porch.server.clients import new_cookie_name
from porch.server.engine_calls import calls, close_engines
from porch.server.event_access import PageProofs
from porch.server.fetcher import SafeFetcher
from porch.server.job_codec import CallCodec, job_for
from porch.server.oidc.signin import OidcSignIn
from porch.server.reattach import OrphanTimers
from porch.server.reporter import Reporter
from porch.server.settings import Settings
from porch.server.streams import Inboxes, run_stream

Send = Callable[[dict[str, Any]], None]


SHUTDOWN_GRACE_S = 5.0  # unload events started as the server stops finish within this
CALL_SESSION = "call-"  # prefix of the sessions the server makes for single API calls
T = TypeVar("T")


def _discard(message: dict[str, Any]) -> None:
    """Where unload events' messages go: no page is left to read them."""



def cache_cap(settings: Settings) -> int | None:
    """`cache_max_size` in bytes: "auto" is decided here, against the cache's own disk."""
    if settings.cache_max_size != "auto":
        return settings.cache_max_size  # type: ignore[return-value]
    base = settings.cache_base
    while not base.exists() and base != base.parent:
        base = base.parent
    return default_max_bytes(base)


class AppRuntime:
    def __init__(self, blocks: Blocks, settings: Settings,
                 backend: Backend | None = None) -> None:
        self.blocks = blocks
        self.settings = settings
        backend = backend if backend is not None else MemoryBackend()
        self.cache = FileCache(settings.cache_base, delete_cache=blocks.delete_cache,
                               max_bytes=cache_cap(settings), max_idle=settings.cache_max_idle,
                               registry=backend.cache_registry())
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
        self.scheduler = backend.job_queue(max_size=blocks.max_queue_size)
        self.bus = backend.message_bus(retention=Retention(
            ttl=settings.result_ttl, max_messages=settings.replay_max_messages,
            max_bytes=settings.replay_max_bytes))
        # A shared queue hands this replica jobs other replicas joined (job_codec.py).
        self.scheduler.bind(CallCodec(self))
        self.inboxes = Inboxes()  # the open streaming-input events (streams.py)
        self.orphans = OrphanTimers(settings.reattach_grace)
        self.client_cookie = new_cookie_name(backend.shared_key())
        self.page_proofs = PageProofs()  # the page's proof for UI-only events (event_access)
        if settings.auth is not None:
            settings.auth.use(backend.login_sessions(), backend.login_brake(),
                              backend.shared_key())
        # Signing in with an OpenID Connect issuer (a LoginButton; docs/login-oidc.md).
        self.oidc = None if settings.oidc is None else OidcSignIn(
            settings.oidc, pending=backend.oidc_pending(timeout=settings.oidc.login_timeout),
            sessions=backend.oidc_sessions())
        self.states = backend.state_store(
            capacity=settings.state_session_capacity,
            max_bytes=settings.state_max_bytes,
            budget=SessionBudget(settings.session_burst, settings.session_rate),
            lifetimes={b.id: b.time_to_live for b in blocks.blocks.values()
                       if isinstance(b, State) and b.time_to_live is not None},
            on_delete=self._state_deleted)
        self.cache.is_live = self.states.live
        self._background: set[asyncio.Task[None]] = set()
        # Events asking their function's cache before queueing (cache_probe.py).
        self._probes: dict[str, tuple[asyncio.Task[None], Job]] = {}
        self._limiter: anyio.CapacityLimiter | None = None
        # Initial file values get URLs by path only: a Host header must not shape what every
        # later client is sent.
        conversion = self.conversion(settings.root_path + settings.mount_path)
        # App work due before the first request (e.g. caching examples), through the gate.
        for hook in blocks.startup_hooks:
            hook(conversion)
        self._app_config = blocks.config(conversion)
        # DeepLinkButton's snapshots (server/deep_links.py), and who may go in one.
        self.deep_links = backend.deep_links()
        self.linked_inputs = {i for d in self._app_config["dependencies"]
                              for i in d.get("inputs", [])}
        self._api_info: dict[bool, dict[str, Any]] = {}
        self.head = blocks.all_head()  # HTML the app adds to its page's <head>
        self.durations = Durations()  # each event's mean run time, for the ETA
        self._server_only = frozenset(blocks.unload_events())

    @property
    def limiter(self) -> anyio.CapacityLimiter:
        # Created on first use, inside the server's event loop.
        if self._limiter is None:
            self._limiter = anyio.CapacityLimiter(self.settings.max_threads)
        return self._limiter

    async def shutdown(self) -> None:
        # The pages' streams ended as the server stopped, so their sessions' unload events
        # just started: they get a moment to finish, or they would never run anywhere.
        if self._background:
            await asyncio.wait(list(self._background), timeout=SHUTDOWN_GRACE_S)
        for task in list(self._background):
            task.cancel()
        await self.scheduler.close()
        await close_engines(self.blocks.dependencies)
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
             simple: bool = False, context: EventContext | None = None,
             once: bool = False) -> str:
        """Queue an event; its messages go to the session's stream (or, for plain-HTTP
        calls, to a stream of its own). Returns the event id. `once`: a stream event run
        on this data alone (see `Call.once`)."""
        if dep.fn is None:
            raise InvalidRequest(f"/{dep.api_name} has no Python function to run.", 400)
        event_id = uuid.uuid4().hex
        channel = self.bus.open(f"call:{event_id}" if simple else session_hash)
        channel.add_pending(event_id)
        if dep.connection == "stream":
            # Open before the job is queued: the page may send its next chunk at once.
            self.inboxes.open(event_id, session_hash)
        job = job_for(self, Call(dep, data, session_hash, root, simple, context, once),
                      event_id, channel)
        if self._answers_from_cache(dep):
            # Not queued yet: a hit is answered at once (docs/caching.md), a miss queued.
            if self.queue_is_full():
                channel.pending.discard(event_id)
                raise QueueFull(f"Queue is full. Max size is {self.blocks.max_queue_size}.")
            self._probes[event_id] = (self._spawn(answer_or_queue(self, job, channel)), job)
            return event_id
        try:
            self.scheduler.submit(job)
        except QueueFull:
            channel.pending.discard(event_id)
            self.inboxes.drop(event_id)
            raise
        return event_id

    @staticmethod
    def _answers_from_cache(dep: Dependency) -> bool:
        """Whether `dep` may be answered before queueing: its function is a `gr.cache`
        wrapper, and one run answers one event (not a stream's chunks, not a batch)."""
        return is_cached(dep.fn) and dep.connection != "stream" and not dep.batch

    def forget_probe(self, event_id: str) -> None:
        self._probes.pop(event_id, None)

    def queue_is_full(self) -> bool:
        limit = self.blocks.max_queue_size
        return limit is not None and self.scheduler.waiting_count() >= limit

    def dependency(self, fn_index: Any, session_hash: str | None = None) -> Dependency:
        """The event `fn_index` names: the app's, or one a `@render` drew for the session."""
        try:
            dep = self.blocks.dependency(fn_index=fn_index)
            if dep in self._server_only:
                # Unload events are the server's to fire, for the session that ended; a
                # client naming one would end (or fake the end of) someone's session.
                raise InvalidRequest(f"No function with fn_index {fn_index!r}.", 404)
            return dep
        except InvalidRequest:
            if not isinstance(fn_index, int) or session_hash is None:
                raise
            values = self.states.peek(session_hash)
            found = session_view(values).dependency(fn_index) if values is not None else None
            if found is None:
                raise
            return found

    def block(self, block_id: int, session_hash: str) -> Block | None:
        """The block `block_id`: the app's, or one a `@render` drew for the session."""
        found = self.blocks.blocks.get(block_id)
        if found is None:
            values = self.states.peek(session_hash)
            found = session_view(values).block(block_id) if values is not None else None
        return found

    def cancel(self, event_id: str) -> None:
        probe = self._probes.pop(event_id, None)
        if probe is not None:
            probe[0].cancel()  # a miss is then never queued
        job = probe[1] if probe is not None else self.scheduler.cancel(event_id)
        if job is not None:
            # Answered at once, waiting or running: the channel drops whatever the work
            # still sends on its way out (PROTOCOL.md §3.7).
            job.send(protocol.completed(event_id, {}, success=True))

    def cancel_session(self, channel: MessageStream) -> None:
        """The client left: free its queue slots and stop its running work."""
        for event_id in list(channel.pending):
            self.cancel(event_id)

    def reader_gone(self, channel: MessageStream) -> None:
        """The last reader of `channel` left mid-job: cancel its events unless a reader is back
        within `reattach_grace` (docs/durable-jobs.md)."""
        self.orphans.reader_left(channel, self.cancel_session)

    async def work(self, jobs: list[Job]) -> None:
        """Run a job (a batch's jobs together): what the queue calls when it starts one."""
        for job in jobs:
            # The function may ask which event and attempt this is (porch.Request).
            context = job.payload.context
            if context is not None:
                context.request.event_id = job.event_id
                context.request.attempt = job.attempt
        call: Call = jobs[0].payload
        if call.dep.connection == "stream":
            await run_stream(self, call, jobs[0])
            return
        if call.dep.batch:
            await run_batch(self, call.dep, jobs)
            return
        await self.execute(call.dep, call.data, call.session, call.root, jobs[0].send,
                           jobs[0].event_id, diffs=not call.simple, context=call.context,
                           resumed=call.resumed)

    async def in_thread_if(self, io: bool, fn: Callable[..., T], *args: Any) -> T:
        """`fn(*args)`, in a worker thread when it does file or network I/O."""
        if io:
            return await anyio.to_thread.run_sync(fn, *args, limiter=self.limiter)
        return fn(*args)

    async def execute(self, dep: Dependency, data: Any, session_hash: str, root: str,
                      send: Send, event_id: str, *, diffs: bool, first_only: bool = False,
                      context: EventContext | None = None, probe: bool = False,
                      resumed: bool = False) -> None:
        """Run one event, sending `process_generating` / `process_completed` messages.

        `probe`: answer only from the function's `gr.cache`; on a miss raise CacheMiss,
        having sent nothing (porch.server.cache_probe). `resumed`: see `Call.resumed`."""
        assert dep.fn is not None
        state = self.states.state(session_hash)
        self.states.hold(session_hash, True)  # a running event keeps its session live
        # Files the event creates or reads are held by its session while that is live.
        holder = current_holder.set(session_hash)
        try:
            # Caches learn the session (per_session) and where uploads live (keyed by bytes).
            with event_scope(session_hash, (self.cache.root,), probe=probe,
                             fn=dep.fn) as use:
                await self._execute(dep, data, session_hash, root, send, event_id, state,
                                    diffs=diffs, first_only=first_only, context=context,
                                    cache_use=use, resumed=resumed)
        finally:
            current_holder.reset(holder)
            self.states.hold(session_hash, False)
            if session_hash.startswith(CALL_SESSION):
                # A plain API call that named no session: its State ends with it, instead of
                # taking a place (and pushing out a user's) until capacity evicts it.
                self.states.forget(session_hash)

    async def _results(self, dep: Dependency, fn: Callable[..., Any], args: list[Any],
                       kwargs: dict[str, Any], state: MutableMapping[int, Any],
                       conversion: Conversion, *, io: bool, first_only: bool
                       ) -> AsyncGenerator[tuple[bool, Any, list[Any]], None]:
        """`(final, value, wire payload)` per result of `fn`. A plain `def` generator runs in
        one worker that also converts each value (porch.queue.pump: no thread hop per
        token); anything else (and any call on an engine) is stepped by `calls` and converted
        here."""
        if inspect.isgeneratorfunction(fn) and dep.engine is None:
            def convert(value: Any) -> list[Any]:
                return self.blocks.finish_outputs(dep, value, state, conversion)

            results = pump(fn(*args, **kwargs), convert, self.limiter,
                           ahead=1 if first_only else 8)
            async with contextlib.aclosing(results):
                async for value, payload in results:
                    yield False, value, payload
            return
        async with contextlib.aclosing(calls(dep, fn, args, kwargs, self.limiter)) as steps:
            async for final, value in steps:
                yield final, value, await self.in_thread_if(
                    io, self.blocks.finish_outputs, dep, value, state, conversion)

    async def _execute(self, dep: Dependency, data: Any, session_hash: str, root: str,
                       send: Send, event_id: str, state: MutableMapping[int, Any], *,
                       diffs: bool, first_only: bool,
                       context: EventContext | None, cache_use: CacheUse,
                       resumed: bool = False) -> None:
        assert dep.fn is not None
        conversion = self.conversion(root)
        reporter = Reporter([(send, event_id)], asyncio.get_running_loop())
        token = current_reporter.set(reporter)
        conversion_token = current_conversion.set(conversion)
        tqdm_token = None
        started = time.monotonic()
        try:
            # File conversions read, copy or fetch: keep them off the event loop.
            io = any(c.does_io for c in (*dep.inputs, *dep.outputs))
            try:
                args, kwargs = await self.in_thread_if(
                    io, self.blocks.prepare_inputs, dep, data, state, conversion, context)
            except (FileNotAllowed, InvalidRequest) as exc:
                raise InputError(str(exc.message if isinstance(exc, InvalidRequest) else exc)
                                 ) from exc
            tracker = next((v for v in kwargs.values()
                            if isinstance(v, Progress) and v.track_tqdm), None)
            if tracker is not None:
                tqdm_token = track_tqdm(tracker)
            last: list[Any] | None = None
            render_config: dict[str, Any] | None = None
            with anyio.move_on_after(dep.time_limit) as limit:
                fn = one_call_of_batch(dep) if dep.batch else dep.fn
                async with contextlib.aclosing(self._results(
                        dep, fn, args, kwargs, state, conversion, io=io,
                        first_only=first_only)) as steps:
                    async for final, value, payload in steps:
                        if isinstance(value, RenderScope):
                            # A @render ran: the session may now run the events it drew.
                            session_view(state).rendered(value)
                            render_config = await self.in_thread_if(True, value.config,
                                                                    conversion)
                        if not final:
                            out = payload
                            if diffs and last is not None:
                                pairs = zip(last, payload, strict=True)
                                out = [protocol.diff(old, new) for old, new in pairs]
                            elif diffs and resumed:
                                out = [[["replace", [], new]] for new in payload]
                            send(protocol.generating(event_id, protocol.success_output(
                                out, generating=True, duration=time.monotonic() - started,
                                average=None), dep.time_limit))
                        last = payload
                        if first_only:
                            break
            if limit.cancelled_caught:
                raise time_limit_error(dep)
            if last is None:
                last = [None] * len(dep.outputs)
            duration = time.monotonic() - started
            # A cached answer says nothing of how long the function takes (Gradio's rule).
            average = self.durations.record(dep, duration) if cache_use.kind is None \
                else self.durations.average(dep)
            # What a session was sent is kept only for a DeepLinkButton's link to show: with
            # none made, nobody asks (and on a cluster each record is a Redis write).
            if DeepLinkButton.made and not session_hash.startswith(CALL_SESSION):
                self.deep_links.sent(session_hash, zip(
                    (b.id for b in dep.outputs), last, strict=False))
            send(protocol.completed(event_id, protocol.success_output(
                last, generating=False, duration=duration, average=average,
                render_config=render_config, used_cache=cache_use.kind),
                success=True, duration=duration, average=average,
                used_cache=cache_use.kind))
        except CacheMiss:
            raise  # a probe found nothing: the event is queued, nothing was sent
        except asyncio.CancelledError:
            send(protocol.completed(event_id, {}, success=True))
            raise
        except Exception as exc:
            output, title = failure_output(exc, dep, show_error=self.settings.show_error)
            send(protocol.completed(event_id, output, success=False, title=title))
        finally:
            reporter.close()
            untrack_tqdm(tqdm_token)
            current_reporter.reset(token)
            current_conversion.reset(conversion_token)

    def fail(self, job: Job, dep: Dependency, exc: Exception) -> None:
        """End `job` with the failure output for `exc`."""
        output, title = failure_output(exc, dep, show_error=self.settings.show_error)
        job.send(protocol.completed(job.event_id, output, success=False, title=title))

    # ---- sessions -------------------------------------------------------------------------
    @staticmethod
    def call_session() -> str:
        """A session hash for one API call that brought none (see `execute`)."""
        return CALL_SESSION + uuid.uuid4().hex

    def open_session(self, session_hash: str, *, owner: str | None, client: str) -> None:
        """A client's request names `session_hash`: admit it (InvalidRequest 403/429 if the
        session is another client's, or this client opened too many, see queue/sessions)."""
        self.states.open(session_hash, owner=owner, client=client)

    def session_opened(self, session_hash: str) -> None:
        """A page's heartbeat connected: its session is live until the stream ends."""
        self.states.attach(session_hash)

    def session_closed(self, session_hash: str, root: str) -> None:
        """A page's heartbeat ended: run the app's unload events, and keep the session's
        state only a while in case the page comes back (a reload, a network blip). Not while
        another stream of the session (here, or on another replica) still holds it."""
        if self.states.detach(session_hash, self.settings.closed_session_keep):
            self.unload(session_hash, root)

    def unload(self, session_hash: str, root: str) -> list[asyncio.Task[None]]:
        """Run the app's unload events for the session that ended (its tasks)."""
        forget_session(session_hash)  # per-session caches' entries (Gradio's rule too)
        return [self._spawn(self.execute(dep, [], session_hash, root, _discard,
                                         uuid.uuid4().hex, diffs=False))
                for dep in self.blocks.unload_events()]

    async def background_settled(self) -> None:
        """Return once the work the server started on its own (unload events) has ended:
        porch.testing waits on this instead of sleeping."""
        while self._background:
            await asyncio.gather(*self._background, return_exceptions=True)

    def _spawn(self, work: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = asyncio.get_running_loop().create_task(work)
        self._background.add(task)  # a task nobody holds may be collected mid-way
        task.add_done_callback(self._background.discard)
        return task

    def _state_deleted(self, key: int, value: Any) -> None:
        block = self.blocks.blocks.get(key)
        if isinstance(block, State) and block.delete_callback is not None:
            block.delete_callback(value)
