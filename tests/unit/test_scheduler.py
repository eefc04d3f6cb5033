"""The scheduler's features: batching, shared limits, estimations as the queue moves."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from porch.queue.scheduler import Job, Scheduler
from tests.unit.test_queue import in_fresh_loop


def job(key: str = "k", limit: int | None = 1, *, fn: str = "f", batch: int = 1,
        session: str | None = None, runs: list[list[str]] | None = None,
        gate: asyncio.Event | None = None, messages: list[dict[str, Any]] | None = None,
        ) -> Job:
    """A job whose work records the event ids it ran together, then waits on `gate`."""
    async def work(jobs: list[Job]) -> None:
        if runs is not None:
            runs.append([j.event_id for j in jobs])
        if gate is not None:
            await gate.wait()

    sink = messages if messages is not None else []
    return Job(key=key, limit=limit, work=work, send=sink.append, fn=fn, batch=batch,
               session=session)


@in_fresh_loop
async def test_batch_takes_waiting_calls_of_the_same_function_together() -> None:
    scheduler = Scheduler()
    runs: list[list[str]] = []
    gate = asyncio.Event()
    first = job(batch=3, runs=runs, gate=gate)
    scheduler.submit(first)  # starts alone: nothing else is waiting yet
    waiting = [job(batch=3, runs=runs) for _ in range(4)]
    other_fn = job(fn="g", batch=3, runs=runs)
    for item in (waiting[0], other_fn, *waiting[1:]):
        scheduler.submit(item)
    await asyncio.sleep(0.01)
    assert runs == [[first.event_id]]
    assert scheduler.waiting_count() == 5
    gate.set()
    await asyncio.sleep(0.05)
    ids = [w.event_id for w in waiting]
    # Up to 3 of f together (skipping g's call, which waits its turn), then g, then the rest.
    assert runs[1] == ids[:3]
    assert runs[2:] == [[other_fn.event_id], [ids[3]]]
    assert scheduler.running_count() == scheduler.waiting_count() == 0


@in_fresh_loop
async def test_each_member_of_a_batch_gets_its_own_process_starts() -> None:
    scheduler = Scheduler()
    gate = asyncio.Event()
    blocker = job(gate=gate)
    scheduler.submit(blocker)
    inboxes: list[list[dict[str, Any]]] = [[], []]
    members = [job(batch=2, messages=box) for box in inboxes]
    for member in members:
        scheduler.submit(member)
    gate.set()
    await asyncio.sleep(0.02)
    for member, box in zip(members, inboxes, strict=True):
        starts = [m for m in box if m["msg"] == "process_starts"]
        assert [m["event_id"] for m in starts] == [member.event_id]
        assert all(m["event_id"] == member.event_id for m in box)


@in_fresh_loop
async def test_cancelling_one_member_leaves_the_batch_running() -> None:
    scheduler = Scheduler()
    gate = asyncio.Event()
    runs: list[list[str]] = []
    blocker = job(gate=gate)
    scheduler.submit(blocker)
    a, b = job(batch=2, runs=runs, gate=gate), job(batch=2, runs=runs, gate=gate)
    scheduler.submit(a)
    scheduler.submit(b)
    gate.set()
    await asyncio.sleep(0)
    gate.clear()
    await asyncio.sleep(0.01)
    assert runs == [[a.event_id, b.event_id]]
    scheduler.cancel(a.event_id)
    await asyncio.sleep(0.01)
    assert a.task is not None and not a.task.done()  # still waiting on its (closed) gate
    scheduler.cancel(b.event_id)  # the last member gone: the run stops
    await asyncio.sleep(0.01)
    assert a.task.done()
    assert scheduler.running_count() == 0


@in_fresh_loop
async def test_a_shared_key_shares_one_limit() -> None:
    scheduler = Scheduler()
    gate = asyncio.Event()
    runs: list[list[str]] = []
    # Two functions in one concurrency group of 1: the second waits for the first.
    first = job(key="shared", fn="f", runs=runs, gate=gate)
    second = job(key="shared", fn="g", runs=runs, gate=gate)
    separate = job(key="own", fn="h", runs=runs, gate=gate)
    for item in (first, second, separate):
        scheduler.submit(item)
    await asyncio.sleep(0.01)
    assert sorted(runs) == sorted([[first.event_id], [separate.event_id]])
    gate.set()
    await asyncio.sleep(0.02)
    assert [second.event_id] in runs


@in_fresh_loop
async def test_ranks_and_etas_only_count_down_as_the_queue_moves() -> None:
    scheduler = Scheduler()
    gates = [asyncio.Event() for _ in range(8)]
    boxes: list[list[dict[str, Any]]] = [[] for _ in gates]
    jobs = []
    for gate, box in zip(gates, boxes, strict=True):
        item = job(limit=2, gate=gate, messages=box)
        jobs.append(item)
        scheduler.submit(item)
    for gate in gates:  # finish one by one, in order
        gate.set()
        await asyncio.sleep(0.01)
    for box in boxes:
        estimations = [m for m in box if m["msg"] == "estimation"]
        ranks = [m["rank"] for m in estimations]
        assert ranks == sorted(ranks, reverse=True)
        etas = [m["rank_eta"] for m in estimations if m["rank_eta"] is not None]
        assert etas == sorted(etas, reverse=True)
        assert box[-1]["msg"] == "process_starts"
    last = [m for m in boxes[-1] if m["msg"] == "estimation"]
    assert last[0]["rank"] == 5 and last[0]["queue_size"] == 6  # two ran at once
    assert last[-1]["rank"] == 0
    assert any(m["rank_eta"] is not None for m in last)  # measured durations gave an ETA
    assert scheduler.average("f") is not None


@in_fresh_loop
async def test_process_starts_carries_the_measured_duration() -> None:
    scheduler = Scheduler()
    messages: list[dict[str, Any]] = []
    scheduler.submit(job())
    await asyncio.sleep(0.01)
    scheduler.submit(job(messages=messages))
    await asyncio.sleep(0.01)
    starts = [m for m in messages if m["msg"] == "process_starts"]
    assert starts and starts[0]["eta"] is not None and starts[0]["eta"] >= 0


@in_fresh_loop
async def test_jobs_of_a_session_and_failing_work_frees_its_slot() -> None:
    scheduler = Scheduler()
    gate = asyncio.Event()
    mine = job(session="s", gate=gate)

    async def boom(jobs: list[Job]) -> None:
        raise RuntimeError("outside the work's own error handling")

    failing = Job(key="x", limit=1, work=boom, send=lambda m: None, session="s")
    scheduler.submit(mine)
    scheduler.submit(job(session="other"))
    assert scheduler.jobs_of("s") == [mine]
    scheduler.submit(failing)
    await asyncio.sleep(0.01)
    after = job(key="x")
    scheduler.submit(after)
    await asyncio.sleep(0.01)
    assert scheduler.get(after.event_id) is None  # ran and finished: the slot was free
    gate.set()
    await scheduler.close()


@pytest.mark.parametrize("limit", [1, 3])
def test_limit_is_never_exceeded(limit: int) -> None:
    @in_fresh_loop
    async def check() -> None:
        scheduler = Scheduler()
        active = 0
        peak = 0

        async def work(jobs: list[Job]) -> None:
            nonlocal active, peak
            active += 1
            peak = max(peak, active)
            await asyncio.sleep(0.002)
            active -= 1

        for _ in range(20):
            scheduler.submit(Job(key="k", limit=limit, work=work, send=lambda m: None))
        while scheduler.running_count() or scheduler.waiting_count():
            await asyncio.sleep(0.005)
        assert peak == limit

    check()


@in_fresh_loop
async def test_a_run_cancelled_before_its_first_step_still_frees_its_slot() -> None:
    scheduler = Scheduler()
    runs: list[list[str]] = []
    first = job(runs=runs)
    scheduler.submit(first)  # started: its task exists but has not run a step yet
    scheduler.cancel(first.event_id)
    second = job(runs=runs)
    scheduler.submit(second)
    await asyncio.sleep(0.01)
    assert runs == [[second.event_id]]  # the slot came back; the first never ran
    assert scheduler.running_count() == scheduler.waiting_count() == 0
