"""`RedisJobQueue`: one queue for every replica, with cluster-wide concurrency limits and
leases, so that the replica that answers a `queue/join` need not be the one that runs it, and
a replica that dies mid-job has its job run again elsewhere (SCALE-OUT.md §2.3, §2.7, §2.8).

Keys under `<prefix>:q`: per concurrency key K a `{q:K}:waiting` sorted set (event ids by join
order) and a `{q:K}:running` one (by lease expiry); `job:<id>` hashes (the signed job bytes,
its key, function, batch size, join order, attempt and owner); `keys` (every K), `limits`
(K's limit), `seq` and `waiting_n` (jobs waiting, all keys together, for `max_size`).

- **Join** (`submit`): one script refuses past `max_size` (QueueFull, cluster-wide), gives
  the job the next `seq`, and adds it to K's waiting set; the doorbell `q:work` rings. When
  nothing waits in K and K has room, the same script hands the job to the joining replica
  at once (its lease, attempt 1): no doorbell, no take, no rebuild of the job, which is what
  keeps a trivial event's overhead to a few round trips.
- **Take**: every replica, on the doorbell or each `TICK`, runs a script per key that first
  moves expired leases back to the front (their `seq` is kept), then, while K has fewer than
  its limit running, moves the head (a batch: up to `max_batch_size` consecutive jobs of one
  function) to running with a lease of `lease_ttl` and counts the attempt.
- **Leases** are renewed every `lease_ttl / 3` while the run lasts. A run whose lease was
  handed on is fenced and cancelled: each message it sends carries (job, replica, attempt),
  and the append script drops it unless the job is still that attempt on this replica, so a
  replica that stalled past its lease says nothing once it wakes; a replica that
  cannot reach Redis for `lease_ttl / 2` cancels its runs itself, so that, when its lease is
  handed on, only one run of a job is live.
- **Delivery**: a job is run again only when the replica running it is lost, never because
  the function raised; at most `max_attempts` (2) times, and once for `at_most_once=True`
  events: past that the event ends failed, "Server lost". The function sees the attempt in
  `request.attempt` and a stable `request.event_id`.
- **Cancel** of a job another replica runs: the doorbell `q:cancel` tells it.
- **End** of a run: one script frees its slots and rings the doorbell only if a job waits in
  K, awaited on a connection of its own (so is each take), so the event loop serves the
  run's reader meanwhile.

Jobs the app cannot encode (a streaming-input event, an event a `@render` drew) run on the
replica that joined them, in a local `Scheduler` (porch.server.job_codec says why).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import redis
import redis.asyncio

from porch import protocol
from porch.cluster.job_scripts import ENQUEUE, FINISH, RENEW, REQUEUE, TAKE
from porch.cluster.replies import as_bytes, as_text
from porch.cluster.signing import Signer
from porch.cluster.streams import Fence, RedisStream
from porch.errors import QueueFull
from porch.queue.scheduler import Job, JobRunner, Scheduler, Send
from porch.server.settings import DEFAULT_LEASE_TTL

log = logging.getLogger("porch.cluster")

TICK = 0.5  # seconds between takes without a doorbell (a lost doorbell costs this, no more)

@dataclass(eq=False)
class _Run:
    key: str
    jobs: list[Job]
    started: float = field(default_factory=time.monotonic)
    task: asyncio.Task[None] | None = None
    lost: bool = False  # its lease went to another replica: it must say nothing more


def _fenced(run: _Run, send: Send, fence: Fence) -> Send:
    """`send` for a run: nothing once this replica knows the run lost its lease, and, into a
    Redis stream, nothing once Redis says so (checked with each message, in its append)."""
    stream = getattr(send, "__self__", None)
    if isinstance(stream, RedisStream) and send == stream.send:
        def send_fenced(message: dict[str, Any]) -> None:
            if not run.lost:
                stream.send(message, fence)

        return send_fenced

    def send_unless_lost(message: dict[str, Any]) -> None:
        if not run.lost:
            send(message)

    return send_unless_lost


class RedisJobQueue:
    """The `JobQueue` of a cluster (see the module docstring)."""

    def __init__(self, client: redis.Redis, listener: redis.asyncio.Redis, prefix: str,
                 signer: Signer, *, max_size: int | None, lease_ttl: float = DEFAULT_LEASE_TTL,
                 max_attempts: int = 2, writer: redis.asyncio.Redis | None = None) -> None:
        self.client = client
        self.listener = listener
        # Writes nobody waits for (a finished run's release): off the event loop's path.
        self.writer = writer or listener
        self.prefix = f"{prefix}:q"
        self.signer = signer
        self.max_size = max_size
        self.lease_ttl = lease_ttl
        self.max_attempts = max_attempts
        self.replica = uuid.uuid4().hex[:12]
        self.local = Scheduler()  # the jobs only this replica can run
        self._runner: JobRunner | None = None
        self._enqueue = client.register_script(ENQUEUE)
        self._take = self.writer.register_script(TAKE)  # awaited: the loop serves meanwhile
        self._renew = client.register_script(RENEW)
        self._requeue = client.register_script(REQUEUE)
        self._finish = self.writer.register_script(FINISH)
        self._releases: set[asyncio.Task[None]] = set()
        self._running: dict[str, _Run] = {}
        self._joined: dict[str, tuple[Job, str]] = {}  # joined here, waiting: for their ranks
        self._durations: dict[str, tuple[float, int]] = {}
        self._wake: asyncio.Event | None = None
        self._announcing: set[str] = set()
        self._due: set[str] = set()  # keys whose queue moved since the last take
        self._ranks: dict[str, int] = {}  # the rank each job joined here was last told
        self.work_channel = f"{self.prefix}:work"
        self.cancel_channel = f"{self.prefix}:cancel"

    # ---- keys ------------------------------------------------------------------------------
    def _waiting(self, key: str) -> str:
        return f"{self.prefix}:{{q:{key}}}:waiting"

    def _running_key(self, key: str) -> str:
        return f"{self.prefix}:{{q:{key}}}:running"

    def _job(self, event_id: str) -> str:
        return f"{self.prefix}:job:{event_id}"

    @property
    def _count(self) -> str:
        return f"{self.prefix}:waiting_n"

    # ---- the JobQueue interface ------------------------------------------------------------
    def bind(self, runner: JobRunner) -> None:
        self._runner = runner

    def submit(self, job: Job) -> None:
        assert self._runner is not None, "the runtime binds its runner first"
        blob = self._runner.encode(job)
        if blob is None:
            if self.max_size is not None and self.waiting_count() >= self.max_size:
                raise QueueFull(f"Queue is full. Max size is {self.max_size}.")
            self.local.submit(job)
            return
        signed = self.signer.sign(blob, job.event_id.encode())
        limit = "" if job.limit is None else str(job.limit)
        # The joining replica runs the job itself when it would be taken at once anyway
        # (K's head, K has room): no doorbell, no take, no rebuild of the job. Only once
        # this replica renews leases (run() started) and not for a batch (it gathers).
        take_now = self._wake is not None and job.batch <= 1
        rank, size, taken = self._enqueue(
            keys=[self._waiting(job.key), f"{self.prefix}:keys", self._job(job.event_id),
                  f"{self.prefix}:seq", self._count, f"{self.prefix}:limits",
                  self._running_key(job.key)],
            args=[job.event_id, job.key, signed, job.fn, job.batch, limit,
                  -1 if self.max_size is None else self.max_size, int(take_now),
                  int(time.time() * 1000), int(self.lease_ttl * 1000), self.replica])
        if int(rank) < 0:
            raise QueueFull(f"Queue is full. Max size is {self.max_size} and size is "
                            f"{self.waiting_count()}.")
        job.send(protocol.estimation(job.event_id, int(rank), int(size),
                                     self._eta(job, int(rank))))
        if int(taken):
            job.attempt = 1
            self._launch(job.key, [job])
            return
        self._joined[job.event_id] = (job, job.key)
        self._ranks[job.event_id] = int(rank)
        self._doorbell(job.key)
        self._ring(job.key)

    def cancel(self, event_id: str) -> Job | None:
        found = self.local.cancel(event_id)
        if found is not None:
            return found
        self._joined.pop(event_id, None)
        self._ranks.pop(event_id, None)
        running = self.get(event_id) if event_id in self._running else None
        if running is not None:
            self._cancel_here(event_id)
            return running
        blob, attempt, key = self.client.hmget(self._job(event_id), ["blob", "attempt", "key"])
        if blob is None or key is None:
            return None
        if self.client.zrem(self._waiting(as_text(key)), event_id):
            with self.client.pipeline(transaction=True) as pipe:
                pipe.decr(self._count)
                pipe.delete(self._job(event_id))
                pipe.execute()
            self._doorbell(as_text(key))
        else:  # running on another replica: it stops it
            self.client.publish(self.cancel_channel, event_id)
        assert self._runner is not None
        return self._runner.decode(self.signer.verify(as_bytes(blob), event_id.encode()),
                                   event_id, max(int(attempt or 1), 1))

    def jobs_of(self, session: str) -> list[Job]:
        mine = [job for job, _ in self._joined.values() if job.session == session]
        mine += [job for run in self._running.values() for job in run.jobs
                 if job.session == session]
        return self.local.jobs_of(session) + list(dict.fromkeys(mine))

    def waiting_count(self) -> int:
        return max(int(self.client.get(self._count) or 0), 0) + self.local.waiting_count()

    def running_count(self) -> int:
        """Jobs running on this replica."""
        return len(self._running) + self.local.running_count()

    def get(self, event_id: str) -> Job | None:
        run = self._running.get(event_id)
        if run is not None:
            return next(j for j in run.jobs if j.event_id == event_id)
        joined = self._joined.get(event_id)
        return joined[0] if joined is not None else self.local.get(event_id)

    def average(self, fn: str) -> float | None:
        total, count = self._durations.get(fn, (0.0, 0))
        return total / count if count else None

    async def close(self) -> None:
        """This replica stops: its runs go back to the front of the queue for another one
        (not ended: a rolling restart loses no event), and its local jobs end."""
        runs = list(dict.fromkeys(self._running.values()))
        for run in runs:
            run.lost = True
            for job in run.jobs:
                with contextlib.suppress(redis.RedisError):
                    self._give_back(run.key, job.event_id)
            if run.task is not None:
                run.task.cancel()
        tasks = [run.task for run in runs if run.task is not None]
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        if self._releases:  # finished runs' slots, freed before the connections close
            await asyncio.gather(*self._releases, return_exceptions=True)
        await self.local.close()

    # ---- background work -------------------------------------------------------------------
    async def run(self) -> None:
        self._wake = asyncio.Event()
        await asyncio.gather(self._listen(), self._renew_leases(), self._take_loop())

    def _ring(self, key: str) -> None:
        """Look at K's queue now (the take loop looks at every key on each tick)."""
        self._due.add(key)
        if self._wake is not None:
            self._wake.set()

    def _doorbell(self, key: str) -> None:
        """Tell every replica that K's queue moved (this one rings itself directly)."""
        self.client.publish(self.work_channel, f"{self.replica}|{key}")

    async def _listen(self) -> None:
        """The doorbells: work in a key (take, and tell local waiters their rank), and
        cancels of runs here. Reconnects after Redis comes back."""
        while True:
            try:
                pubsub = self.listener.pubsub()
                await pubsub.subscribe(self.work_channel, self.cancel_channel)
                async for message in pubsub.listen():
                    if message.get("type") != "message":
                        continue
                    channel, data = as_text(message["channel"]), as_text(message["data"])
                    if channel == self.cancel_channel:
                        self._cancel_here(data)
                        continue
                    sender, _, key = data.partition("|")
                    if sender != self.replica:
                        self._ring(key)
                    self._announce_soon(key)
            except (redis.RedisError, OSError) as exc:
                log.warning("queue doorbell lost (%s); retrying", exc)
                await asyncio.sleep(TICK)

    def _cancel_here(self, event_id: str) -> None:
        run = self._running.get(event_id)
        if run is None:
            return
        for job in run.jobs:
            if job.event_id == event_id:
                job.cancelled = True
        if all(j.cancelled for j in run.jobs) and run.task is not None:
            run.task.cancel()

    async def _take_loop(self) -> None:
        assert self._wake is not None
        swept = time.monotonic()
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), TICK)
            self._wake.clear()
            due, self._due = self._due, set()
            try:
                if time.monotonic() - swept >= TICK:
                    # Every key each tick, however busy the doorbells keep this loop: a key
                    # nobody rings (its replica died mid-job) has its lapsed leases found.
                    swept = time.monotonic()
                    due |= {as_text(k) for k in await self.writer.smembers(f"{self.prefix}:keys")}
                for key in sorted(due):
                    while await self._take_one(key):
                        pass
            except (redis.RedisError, OSError) as exc:
                log.warning("cannot take jobs from the shared queue (%s); retrying", exc)
                await asyncio.sleep(TICK)
            except Exception:  # never let one bad job stop this replica taking any
                log.exception("taking jobs from the shared queue failed; retrying")
                await asyncio.sleep(TICK)

    async def _take_one(self, key: str) -> bool:
        """Take K's next run, if it has room; True if one was taken."""
        now = int(time.time() * 1000)
        found = await self._take(keys=[self._waiting(key), self._running_key(key), self._count,
                                 f"{self.prefix}:limits"],
                           args=[key, now, int(self.lease_ttl * 1000), self.replica,
                                 f"{self.prefix}:job:"])
        *taken, more = found
        if taken:
            self._start(key, [(as_text(taken[i]), int(taken[i + 1]), as_bytes(taken[i + 2]))
                              for i in range(0, len(taken), 3)])
        return bool(more)

    def _start(self, key: str, taken: list[tuple[str, int, bytes]]) -> None:
        assert self._runner is not None
        jobs: list[Job] = []
        for event_id, attempt, blob in taken:
            self._joined.pop(event_id, None)
            self._ranks.pop(event_id, None)
            try:
                job = self._runner.decode(self.signer.verify(blob, event_id.encode()),
                                          event_id, attempt)
            except Exception:
                log.exception("cannot rebuild the queued job %s; dropping it", event_id)
                job = None
            if job is not None and attempt > 1 and (
                    job.at_most_once or attempt > self.max_attempts):
                self._runner.lost(job)
                job = None
            if job is None:
                self._release(key, event_id)
                continue
            jobs.append(job)
        if jobs:
            self._launch(key, jobs)

    def _launch(self, key: str, jobs: list[Job]) -> None:
        """Run `jobs` (taken by this replica: their leases are its own) as one run."""
        run = _Run(key, jobs)
        eta = self.average(jobs[0].fn)
        for job in jobs:
            job.send = _fenced(run, job.send, (self._job(job.event_id), self.replica,
                                                str(job.attempt)))
            job.started = time.monotonic()
            self._running[job.event_id] = run
            job.send(protocol.process_starts(job.event_id, eta))
        run.task = asyncio.get_running_loop().create_task(self._work(run))
        run.task.add_done_callback(lambda _task: self._finished(run))

    async def _work(self, run: _Run) -> None:
        try:
            await run.jobs[0].work(run.jobs)
        except Exception:  # the work reports its own errors; this is a last resort
            log.exception("run of %s failed outside its error handling", run.jobs[0].event_id)

    def _finished(self, run: _Run) -> None:
        for job in run.jobs:
            self._running.pop(job.event_id, None)
        if run.lost:
            return  # another replica holds it now (or will, once its lease is seen lapsed)
        if not all(job.cancelled for job in run.jobs):
            fn = run.jobs[0].fn
            total, count = self._durations.get(fn, (0.0, 0))
            self._durations[fn] = (total + time.monotonic() - run.started, count + 1)
        task = asyncio.get_running_loop().create_task(self._free(run))
        self._releases.add(task)  # a task nobody holds may be collected mid-way
        task.add_done_callback(self._releases.discard)

    async def _free(self, run: _Run) -> None:
        """Free a finished run's slots, on a connection of its own: the run's last message
        is already in its stream, and its reader should not wait behind this."""
        try:
            waiting = await self._finish(
                keys=[self._running_key(run.key), self._waiting(run.key)],
                args=[f"{self.prefix}:job:", self.work_channel, f"{self.replica}|{run.key}",
                      *(job.event_id for job in run.jobs)])
        except (redis.RedisError, OSError) as exc:
            # Its lease lapses instead; a take then finds the event ended and skips it.
            log.warning("cannot release the finished job in %s (%s)", run.key, exc)
            waiting = 1
        if waiting:  # a job waits for the slot this run freed
            self._ring(run.key)

    def _release(self, key: str, event_id: str) -> None:
        with self.client.pipeline(transaction=True) as pipe:
            pipe.zrem(self._running_key(key), event_id)
            pipe.delete(self._job(event_id))
            pipe.execute()

    def _give_back(self, key: str, event_id: str) -> None:
        self._requeue(keys=[self._waiting(key), self._running_key(key), self._job(event_id),
                            self._count], args=[event_id])
        self._doorbell(key)

    async def _renew_leases(self) -> None:
        last_renewed = time.monotonic()
        while True:
            await asyncio.sleep(self.lease_ttl / 3)
            runs = list(dict.fromkeys(self._running.values()))
            if not runs:
                last_renewed = time.monotonic()
                continue
            args: list[Any] = [int(time.time() * 1000 + self.lease_ttl * 1000),
                               f"{self.prefix}:job:", self.replica]
            for run in runs:
                for job in run.jobs:
                    args += [self._running_key(run.key), job.event_id, str(job.attempt)]
            try:
                lost = {as_text(i) for i in self._renew(args=args)}
                gap = time.monotonic() - last_renewed
                if gap > self.lease_ttl * 2 / 3:
                    log.warning("job leases renewed %.2f s apart (lease %.1f s): this "
                                "replica's event loop was held up", gap, self.lease_ttl)
                last_renewed = time.monotonic()
            except (redis.RedisError, OSError) as exc:
                if time.monotonic() - last_renewed < self.lease_ttl / 2:
                    continue
                # Cut off: the leases will lapse and the jobs run elsewhere. Stop ours now,
                # so that only one run of each is live.
                log.warning("cannot renew job leases for %.1f s (%s): stopping this "
                            "replica's runs", time.monotonic() - last_renewed, exc)
                lost = {job.event_id for run in runs for job in run.jobs}
            for run in runs:
                if any(job.event_id in lost for job in run.jobs):
                    log.warning("the lease of %s went to another replica: stopping its run "
                                "here", run.jobs[0].event_id)
                    run.lost = True
                    if run.task is not None:
                        run.task.cancel()

    # ---- ranks of the jobs joined here -----------------------------------------------------
    def _eta(self, job: Job, rank: int) -> float | None:
        own = self.average(job.fn)
        if own is None:
            return None
        eta = rank * own / (job.limit or 1) + own
        if job.last_eta is not None:
            eta = min(eta, job.last_eta)  # a waiting user's ETA only counts down
        job.last_eta = eta
        return eta

    def _announce_soon(self, key: str) -> None:
        if key in self._announcing or not any(k == key for _, k in self._joined.values()):
            return
        self._announcing.add(key)
        asyncio.get_running_loop().call_later(0.05, self._announce, key)

    def _announce(self, key: str) -> None:
        """Tell the jobs joined here and waiting in K their new rank, if it changed."""
        self._announcing.discard(key)
        mine = [(event_id, job) for event_id, (job, k) in self._joined.items() if k == key]
        try:
            with self.client.pipeline(transaction=False) as pipe:
                for event_id, _ in mine:
                    pipe.zrank(self._waiting(key), event_id)
                pipe.zcard(self._waiting(key))
                *ranks, size = pipe.execute()
        except (redis.RedisError, OSError):
            return
        for (event_id, job), rank in zip(mine, ranks, strict=True):
            if rank is None:
                self._joined.pop(event_id, None)  # taken, or cancelled
                self._ranks.pop(event_id, None)
            elif self._ranks.get(event_id) != rank:
                self._ranks[event_id] = int(rank)
                job.send(protocol.estimation(event_id, int(rank), int(size),
                                             self._eta(job, int(rank))))
