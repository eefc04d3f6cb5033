"""The queue layer alone: scheduler, channels, runner, the event context."""

from __future__ import annotations

import asyncio
import functools
import threading
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from typing import Any

import anyio
import pytest

from porch import protocol
from porch.errors import QueueFull
from porch.queue.channels import Channel, MemoryBus, Retention
from porch.queue.runner import iterate
from porch.queue.scheduler import Job, Scheduler
from porch.queue.sessions import MemoryStateStore
from porch.reporting import Info, current_reporter


def in_fresh_loop(test: Callable[[], Coroutine[Any, Any, None]]) -> Callable[[], None]:
    """Run an async test on its own loop in its own thread (Playwright's sync API may own
    this thread's loop when browser tests share the session)."""

    @functools.wraps(test)
    def run() -> None:
        errors: list[BaseException] = []

        def target() -> None:
            try:
                asyncio.run(test())
            except BaseException as exc:  # re-raised in the test's thread
                errors.append(exc)

        thread = threading.Thread(target=target)
        thread.start()
        thread.join(30)
        if errors:
            raise errors[0]

    return run


def make_job(key: str, limit: int | None, log: list[str], name: str,
             gate: asyncio.Event | None = None,
             messages: list[dict[str, Any]] | None = None) -> Job:
    async def work(jobs: list[Job]) -> None:
        log.append(f"start {name}")
        if gate is not None:
            await gate.wait()
        log.append(f"end {name}")

    sink = messages if messages is not None else []
    return Job(key=key, limit=limit, work=work, send=sink.append)


@in_fresh_loop
async def test_limit_one_runs_jobs_in_order() -> None:
    log: list[str] = []
    scheduler = Scheduler()
    gate = asyncio.Event()
    second_messages: list[dict[str, Any]] = []
    first = make_job("k", 1, log, "a", gate)
    second = make_job("k", 1, log, "b", messages=second_messages)
    scheduler.submit(first)
    scheduler.submit(second)
    await asyncio.sleep(0.01)
    assert log == ["start a"]
    assert second_messages[0]["msg"] == "estimation" and second_messages[0]["rank"] == 0
    gate.set()
    await asyncio.sleep(0.01)
    assert log == ["start a", "end a", "start b", "end b"]
    assert [m["msg"] for m in second_messages][-1] == "process_starts"


@in_fresh_loop
async def test_unlimited_and_separate_keys_run_together() -> None:
    log: list[str] = []
    scheduler = Scheduler()
    gate = asyncio.Event()
    for name, key, limit in [("a", "x", None), ("b", "x", None), ("c", "y", 1)]:
        scheduler.submit(make_job(key, limit, log, name, gate))
    await asyncio.sleep(0.01)
    assert sorted(log) == ["start a", "start b", "start c"]
    gate.set()
    await asyncio.sleep(0.01)
    assert scheduler.running_count() == 0


@in_fresh_loop
async def test_max_size_refuses_with_queue_full() -> None:
    scheduler = Scheduler(max_size=1)
    gate = asyncio.Event()
    scheduler.submit(make_job("k", 1, [], "running", gate))
    scheduler.submit(make_job("k", 1, [], "waiting"))
    with pytest.raises(QueueFull, match="Max size is 1"):
        scheduler.submit(make_job("k", 1, [], "refused"))
    gate.set()
    await scheduler.close()


@in_fresh_loop
async def test_cancel_waiting_and_running_jobs() -> None:
    log: list[str] = []
    scheduler = Scheduler()
    gate = asyncio.Event()
    running = make_job("k", 1, log, "a", gate)
    waiting = make_job("k", 1, log, "b")
    scheduler.submit(running)
    scheduler.submit(waiting)
    await asyncio.sleep(0.01)
    assert scheduler.cancel(waiting.event_id) is waiting
    assert scheduler.cancel(running.event_id) is running
    await asyncio.sleep(0.01)
    assert log == ["start a"]  # a was stopped mid-way, b never started
    assert scheduler.cancel("unknown") is None
    assert scheduler.waiting_count() == scheduler.running_count() == 0


async def kinds_until_quiet(channel: Channel) -> list[str]:
    """The message kinds a reader would write, batch after batch, until nothing comes."""
    kinds: list[str] = []
    while (batch := await channel.next_batch(0.01)) is not None:
        kinds.extend(m["msg"] for m in batch)
    return kinds


@in_fresh_loop
async def test_channel_closes_after_last_pending_event() -> None:
    channel = Channel()
    channel.add_pending("a")
    channel.add_pending("b")
    channel.send(protocol.completed("a", {"data": []}, success=True))
    channel.send(protocol.completed("b", {"data": []}, success=True))
    assert await kinds_until_quiet(channel) == [
        "process_completed", "process_completed", "close_stream"]
    assert channel.closing


@in_fresh_loop
async def test_a_join_after_the_last_completion_but_before_delivery_keeps_the_stream() -> None:
    """The interleaving behind CancelledError in gradio_client: the last pending event
    completes, another joins before the reader has written anything. Decided at delivery,
    no close_stream goes out while the newcomer is pending; it comes after its completion."""
    channel = Channel()
    channel.add_pending("a")
    channel.send(protocol.completed("a", {"data": []}, success=True))
    assert not channel.pending  # nothing pending for an instant, and nothing delivered yet
    channel.add_pending("b")
    batch = await channel.next_batch(0.01)
    assert batch is not None
    assert [m["msg"] for m in batch] == ["process_completed"]
    assert not channel.closing
    assert await channel.next_batch(0.01) is None  # heartbeat time; still no close
    channel.send(protocol.completed("b", {"data": []}, success=True))
    batch = await channel.next_batch(0.01)
    assert batch is not None
    assert [(m["msg"], m["event_id"]) for m in batch] == [
        ("process_completed", "b"), ("close_stream", None)]


@in_fresh_loop
async def test_close_is_sent_only_after_a_completion() -> None:
    channel = Channel()
    assert await channel.next_batch(0.01) is None  # attached with nothing pending: heartbeats
    channel.add_pending("a")
    channel.send(protocol.estimation("a", 0, 1, None))
    assert await kinds_until_quiet(channel) == ["estimation"]
    channel.send({"msg": "log", "event_id": None, "log": "x"})  # not tied to an event
    assert await kinds_until_quiet(channel) == ["log"]


@in_fresh_loop
async def test_joins_wait_until_the_closing_reader_is_gone() -> None:
    channel = Channel()
    channel.reader_joined()
    channel.add_pending("a")
    channel.send(protocol.completed("a", {"data": []}, success=True))
    batch = await channel.next_batch(0.01)
    assert batch is not None and batch[-1]["msg"] == "close_stream"
    channel.add_pending("b")  # joined after close_stream was decided
    waiting = asyncio.ensure_future(channel.settled())
    await asyncio.sleep(0.01)
    assert not waiting.done()
    channel.reader_left(closed=True)  # the client hung up
    await asyncio.wait_for(waiting, 1)
    assert not channel.closing and channel.readers == 0
    await asyncio.wait_for(channel.settled(), 1)  # nothing closing: at once


@in_fresh_loop
async def test_settled_gives_up_after_its_bound() -> None:
    channel = Channel()
    channel.add_pending("a")
    channel.send(protocol.completed("a", {"data": []}, success=True))
    await channel.next_batch(0.01)
    assert channel.closing
    await channel.settled(timeout=0.01)  # returns; the reader's own grace ends it anyway
    assert channel.closing


def test_bus_drops_least_recently_used_idle_channels() -> None:
    bus = MemoryBus(capacity=2)
    busy = bus.open("busy")
    busy.add_pending("e")
    bus.open("b")
    bus.open("c")
    assert bus.get("busy") is busy  # pending work is never dropped
    assert bus.get("b") is None
    bus.drop("c")
    assert bus.get("c") is None


def test_bus_keeps_a_channel_whose_result_is_unread() -> None:
    """A finished event's messages wait for the session's reader: a flood of new sessions
    must not drop them (the reader would find no session and its job would fail)."""
    bus = MemoryBus(capacity=2)
    done = bus.open("done")
    done.add_pending("e")
    done.send(protocol.completed("e", {"data": ["x"]}, success=True))
    assert not done.pending
    for n in range(5):
        bus.open(f"flood-{n}")
    assert bus.get("done") is done
    assert done.ready()[0]["output"] == {"data": ["x"]}
    bus.open("flood-last")
    assert bus.get("done") is None  # read: an idle channel like any other


def test_bus_prunes_idle_channels_of_ended_sessions_only() -> None:
    bus = MemoryBus(retention=Retention(ttl=0.0))  # results kept for no time after delivery
    alive = {"kept", "busy-gone"}
    bus.open("kept")
    bus.open("ended")
    bus.open("busy-gone").add_pending("e")  # its event still runs: stays
    unread = bus.open("unread")
    unread.add_pending("e")
    unread.send(protocol.completed("e", {"data": ["x"]}, success=True))
    alive.discard("busy-gone")
    assert bus.prune(alive.__contains__) == 1
    assert bus.get("ended") is None
    assert bus.get("kept") and bus.get("busy-gone") and bus.get("unread") is unread
    unread.ready()  # its result is read: it can go now
    assert bus.prune(alive.__contains__) == 1 and bus.get("unread") is None


def test_state_store_evicts_least_recently_used() -> None:
    store = MemoryStateStore(capacity=2)

    def use(name: str) -> Any:
        return store.open(name, owner=None, client="one")

    use("a")[1] = "x"
    use("b")
    use("a")
    use("c")
    assert dict(use("a")) == {1: "x"}
    assert len(store) == 2


async def collect(fn: Any, *args: Any) -> list[tuple[bool, Any]]:
    return [item async for item in iterate(fn, list(args), anyio.CapacityLimiter(4))]


@in_fresh_loop
async def test_runner_handles_every_kind_of_function() -> None:
    main_thread = threading.get_ident()

    def sync(x: int) -> tuple[int, bool]:
        return x + 1, threading.get_ident() != main_thread

    async def coroutine(x: int) -> int:
        return x * 2

    def generator(n: int) -> Iterator[int]:
        yield from range(n)

    async def async_generator(n: int) -> AsyncIterator[int]:
        for i in range(n):
            yield i

    class Callable:
        def __call__(self, n: int) -> Iterator[int]:
            yield from range(n)

    assert await collect(sync, 1) == [(True, (2, True))]  # ran in a worker thread
    assert await collect(coroutine, 2) == [(True, 4)]
    assert await collect(generator, 2) == [(False, 0), (False, 1)]
    assert await collect(async_generator, 2) == [(False, 0), (False, 1)]
    assert await collect(Callable(), 1) == [(False, 0)]


@in_fresh_loop
async def test_info_reaches_the_reporter_from_a_worker_thread() -> None:
    seen: list[tuple[str, str]] = []

    class Reporter:
        def log(self, level: str, message: str, duration: float | None, title: str,
                visible: bool) -> None:
            seen.append((level, message))

        def progress(self, data: list[dict[str, object]]) -> None:
            raise AssertionError("unused")

    def fn() -> None:
        Info("from a thread")

    token = current_reporter.set(Reporter())
    try:
        await collect(fn)
    finally:
        current_reporter.reset(token)
    assert seen == [("info", "from a thread")]
