"""The scheduler: jobs wait in per-key groups, each with its own concurrency limit.

A group is keyed by the event's `concurrency_id` (events may share one), and runs at most
`limit` jobs at once (None = unlimited). A slow group never holds up another: each job runs
in its own task. Waiting jobs are told their rank and an ETA from measured durations.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from porch import protocol
from porch.errors import QueueFull

log = logging.getLogger("porch.queue")

Send = Callable[[dict[str, Any]], None]


@dataclass(eq=False)
class Job:
    """One event to run: `work` does it, `send` carries its messages to the client."""

    key: str
    limit: int | None
    work: Callable[[Job], Awaitable[None]]
    send: Send
    event_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    created: float = field(default_factory=time.monotonic)
    started: float | None = None
    task: asyncio.Task[None] | None = None
    cancelled: bool = False


@dataclass
class _Group:
    limit: int | None
    waiting: deque[Job] = field(default_factory=deque)
    running: set[Job] = field(default_factory=set)
    total_duration: float = 0.0
    finished: int = 0

    def average(self) -> float | None:
        return self.total_duration / self.finished if self.finished else None

    def has_room(self) -> bool:
        return self.limit is None or len(self.running) < self.limit


class Scheduler:
    """Runs jobs by group on the current event loop."""

    def __init__(self, max_size: int | None = None) -> None:
        self.max_size = max_size
        self._groups: dict[str, _Group] = {}
        self._jobs: dict[str, Job] = {}

    # ---- public ---------------------------------------------------------------------------
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
        self._announce(group)
        self._start_ready(group)

    def cancel(self, event_id: str) -> Job | None:
        """Stop a job: drop it if waiting, cancel its task if running. Returns it if known."""
        job = self._jobs.get(event_id)
        if job is None:
            return None
        job.cancelled = True
        group = self._groups[job.key]
        if job in group.waiting:
            group.waiting.remove(job)
            self._jobs.pop(event_id, None)
            self._announce(group)
        elif job.task is not None:
            job.task.cancel()
        return job

    def waiting_count(self) -> int:
        return sum(len(g.waiting) for g in self._groups.values())

    def running_count(self) -> int:
        return sum(len(g.running) for g in self._groups.values())

    def get(self, event_id: str) -> Job | None:
        return self._jobs.get(event_id)

    async def close(self) -> None:
        """Cancel everything (server shutdown)."""
        for job in list(self._jobs.values()):
            self.cancel(job.event_id)
        tasks = [j.task for j in self._jobs.values() if j.task is not None]
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

    # ---- internals ------------------------------------------------------------------------
    def _announce(self, group: _Group) -> None:
        """Tell every waiting job of the group its rank (positions changed)."""
        average = group.average()
        width = group.limit or 1
        size = len(group.waiting)
        for rank, job in enumerate(group.waiting):
            eta = None if average is None else average * (rank // width + 1)
            job.send(protocol.estimation(job.event_id, rank, size, eta))

    def _start_ready(self, group: _Group) -> None:
        started = False
        while group.waiting and group.has_room():
            job = group.waiting.popleft()
            group.running.add(job)
            job.started = time.monotonic()
            job.send(protocol.process_starts(job.event_id, group.average()))
            job.task = asyncio.get_running_loop().create_task(self._run(group, job))
            started = True
        if started and group.waiting:
            self._announce(group)

    async def _run(self, group: _Group, job: Job) -> None:
        try:
            await job.work(job)
        except asyncio.CancelledError:
            pass
        except Exception:  # the work reports its own errors; this is a last resort
            log.exception("job %s failed outside its error handling", job.event_id)
        finally:
            group.running.discard(job)
            self._jobs.pop(job.event_id, None)
            if job.started is not None and not job.cancelled:
                group.total_duration += time.monotonic() - job.started
                group.finished += 1
            self._start_ready(group)
