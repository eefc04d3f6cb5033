"""The scheduler: jobs wait in per-key groups, each with its own concurrency limit.

A group is keyed by the event's `concurrency_id` (events may share one), and runs at most
`limit` runs at once (None = unlimited). A run is one job, or, for a batched function, up to
`batch` waiting jobs of that function taken together. A slow group never holds up another:
each run is its own task. Waiting jobs are told their rank and an ETA from measured
durations whenever their position changes.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
import uuid
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from porch import protocol
from porch.errors import QueueFull

log = logging.getLogger("porch.queue")

Send = Callable[[dict[str, Any]], None]


@dataclass(eq=False)
class Job:
    """One event to run: `work` does it, `send` carries its messages to the client.

    `work` receives every job of its run: `[job]`, or the members of a batch (the first
    job's `work` runs them all). `fn` names the function (durations and batches are kept
    per function); `session` lets the server find a session's jobs.
    """

    key: str
    limit: int | None
    work: Callable[[list[Job]], Awaitable[None]]
    send: Send
    event_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    fn: str = ""
    batch: int = 1
    session: str | None = None
    payload: Any = None  # what `work` needs to run this job (opaque to the queue)
    created: float = field(default_factory=time.monotonic)
    started: float | None = None
    task: asyncio.Task[None] | None = None
    cancelled: bool = False
    last_eta: float | None = None
    # Which delivery of the event this is: 2 and up after the replica running it was lost
    # (a shared queue's lease ran out); `at_most_once` events are never delivered twice.
    attempt: int = 1
    at_most_once: bool = False


@dataclass(eq=False)
class _Run:
    jobs: list[Job]
    started: float = field(default_factory=time.monotonic)
    task: asyncio.Task[None] | None = None


@dataclass
class _Group:
    limit: int | None
    waiting: deque[Job] = field(default_factory=deque)
    running: set[_Run] = field(default_factory=set)
    announce_from: int | None = None  # lowest rank whose position changed, not yet told

    def has_room(self) -> bool:
        return self.limit is None or len(self.running) < self.limit


class JobRunner(Protocol):
    """What a shared queue needs of the app to run jobs that any replica joined: a job as
    bytes (None: it can only run on the replica that joined it), and back."""

    def encode(self, job: Job) -> bytes | None: ...

    def decode(self, blob: bytes, event_id: str, attempt: int) -> Job | None:
        """The job again, on this replica (None: its event has ended meanwhile)."""
        ...

    def lost(self, job: Job) -> None:
        """End `job`'s event as failed: the replica running it was lost, and it may not run
        again (at_most_once, or its attempts are spent)."""
        ...


class JobQueue(Protocol):
    """Admits, orders and runs events (Scheduler here; a cluster backend shares the queue and
    its concurrency limits between replicas)."""

    def bind(self, runner: JobRunner) -> None: ...

    async def run(self) -> None:
        """The queue's own background work while the server runs (a shared queue takes the
        jobs other replicas joined); returns at once when there is none."""
        ...

    def submit(self, job: Job) -> None: ...

    def cancel(self, event_id: str) -> Job | None: ...

    def jobs_of(self, session: str) -> list[Job]: ...

    def waiting_count(self) -> int: ...

    def running_count(self) -> int: ...

    def get(self, event_id: str) -> Job | None: ...

    def average(self, fn: str) -> float | None: ...

    async def close(self) -> None: ...


class Scheduler:
    """Runs jobs by group on the current event loop."""

    def __init__(self, max_size: int | None = None) -> None:
        self.max_size = max_size
        self._groups: dict[str, _Group] = {}
        self._jobs: dict[str, Job] = {}
        self._durations: dict[str, tuple[float, int]] = {}

    # ---- public ---------------------------------------------------------------------------
    def bind(self, runner: JobRunner) -> None:
        """Nothing to do: every job here was joined here, and keeps its Python objects."""

    async def run(self) -> None:
        """Nothing to do: runs start as jobs are submitted and as slots free."""

    def submit(self, job: Job) -> None:
        """Queue `job`; raises QueueFull when `max_size` jobs are already waiting."""
        waiting = self.waiting_count()
        if self.max_size is not None and waiting >= self.max_size:
            raise QueueFull(f"Queue is full. Max size is {self.max_size} and size is {waiting}.")
        group = self._groups.get(job.key)
        if group is None:
            group = self._groups[job.key] = _Group(limit=job.limit)
        group.limit = job.limit
        group.waiting.append(job)
        self._jobs[job.event_id] = job
        # Only the newcomer's position is new; the others' ranks did not change.
        self._tell(group, len(group.waiting) - 1, self._ahead(group, len(group.waiting) - 1))
        self._start_ready(group)

    def cancel(self, event_id: str) -> Job | None:
        """Stop a job: drop it if waiting, cancel its run if running (a batch keeps running
        for its other members). Returns the job if it was known."""
        job = self._jobs.pop(event_id, None)
        if job is None:
            return None
        job.cancelled = True
        group = self._groups[job.key]
        if job in group.waiting:
            rank = group.waiting.index(job)
            del group.waiting[rank]
            self._announce_later(group, rank)
            return job
        for run in group.running:
            if job in run.jobs and all(j.cancelled for j in run.jobs) and run.task is not None:
                run.task.cancel()
        return job

    def jobs_of(self, session: str) -> list[Job]:
        """The session's jobs still waiting or running."""
        return [job for job in self._jobs.values() if job.session == session]

    def waiting_count(self) -> int:
        return sum(len(g.waiting) for g in self._groups.values())

    def running_count(self) -> int:
        """Jobs running now (each member of a batch counts)."""
        return sum(len(run.jobs) for g in self._groups.values() for run in g.running)

    def get(self, event_id: str) -> Job | None:
        return self._jobs.get(event_id)

    def average(self, fn: str) -> float | None:
        """The mean measured duration of `fn`'s runs, or None before the first one ends."""
        total, count = self._durations.get(fn, (0.0, 0))
        return total / count if count else None

    async def close(self) -> None:
        """Cancel everything (server shutdown)."""
        tasks = [run.task for g in self._groups.values() for run in g.running
                 if run.task is not None]
        for job in list(self._jobs.values()):
            self.cancel(job.event_id)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

    # ---- estimation -----------------------------------------------------------------------
    def _ahead(self, group: _Group, rank: int) -> float | None:
        """Seconds of work queued before `rank` in the group, or None if some is unmeasured."""
        total = 0.0
        for job in list(group.waiting)[:rank]:
            average = self.average(job.fn)
            if average is None:
                return None
            total += average
        return total

    def _tell(self, group: _Group, rank: int, ahead: float | None) -> None:
        job = group.waiting[rank]
        own = self.average(job.fn)
        eta = None
        if ahead is not None and own is not None:
            # Queued work drains `limit` at a time; then the job's own run.
            eta = ahead / (group.limit or 1) + own
            if job.last_eta is not None:
                # Averages drift as runs finish: a waiting user's ETA only counts down.
                eta = min(eta, job.last_eta)
            job.last_eta = eta
        job.send(protocol.estimation(job.event_id, rank, len(group.waiting), eta))

    def _announce_later(self, group: _Group, rank: int) -> None:
        """Tell the jobs from `rank` on their new position, once per loop turn (many jobs
        may leave the queue in one turn)."""
        if group.announce_from is None:
            asyncio.get_running_loop().call_soon(self._announce, group)
            group.announce_from = rank
        else:
            group.announce_from = min(group.announce_from, rank)

    def _announce(self, group: _Group) -> None:
        start, group.announce_from = group.announce_from, None
        if start is None or start >= len(group.waiting):
            return
        ahead = self._ahead(group, start)
        for rank in range(start, len(group.waiting)):
            self._tell(group, rank, ahead)
            if ahead is not None:
                average = self.average(group.waiting[rank].fn)
                ahead = None if average is None else ahead + average

    # ---- running --------------------------------------------------------------------------
    def _start_ready(self, group: _Group) -> None:
        started = 0
        while group.waiting and group.has_room():
            leader = group.waiting.popleft()
            jobs = [leader]
            if leader.batch > 1:
                for other in list(group.waiting):
                    if len(jobs) >= leader.batch:
                        break
                    if other.fn == leader.fn and other.batch > 1:
                        group.waiting.remove(other)
                        jobs.append(other)
            run = _Run(jobs)
            group.running.add(run)
            now = time.monotonic()
            eta = self.average(leader.fn)
            for job in jobs:
                job.started = now
                job.send(protocol.process_starts(job.event_id, eta))
            run.task = asyncio.get_running_loop().create_task(self._run(run))
            # A done callback, not a `finally` in the task: a task cancelled before its first
            # step never runs its coroutine at all, and its slot must still come back.
            run.task.add_done_callback(functools.partial(self._finished, group, run))
            for job in jobs:
                job.task = run.task
            started += len(jobs)
        if started:
            self._announce_later(group, 0)

    async def _run(self, run: _Run) -> None:
        try:
            await run.jobs[0].work(run.jobs)
        except Exception:  # the work reports its own errors; this is a last resort
            log.exception("run of %s failed outside its error handling", run.jobs[0].event_id)

    def _finished(self, group: _Group, run: _Run, task: asyncio.Task[None]) -> None:
        group.running.discard(run)
        for job in run.jobs:
            self._jobs.pop(job.event_id, None)
        if not all(job.cancelled for job in run.jobs):
            fn = run.jobs[0].fn
            total, count = self._durations.get(fn, (0.0, 0))
            self._durations[fn] = (total + time.monotonic() - run.started, count + 1)
        self._start_ready(group)
