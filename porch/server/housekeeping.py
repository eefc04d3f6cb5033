"""What a running server does on its own, every so often: clean the file cache, sweep
sessions' State, and (on a cluster) hold the sessions whose heartbeat this replica serves
and run the unload events of sessions whose holding replica died (porch.cluster.liveness,
docs/cluster.md; one process alone has no leases: that loop ends at once)."""

from __future__ import annotations

import asyncio
import logging

import anyio
import anyio.to_thread

from porch.server.runtime import AppRuntime

CACHE_SWEEP_S = 60.0  # without `delete_cache`, a bounded cache is cleaned this often
# Sessions are swept this often (more often when a State's time_to_live is short).
SESSION_SWEEP_S = 30.0

log = logging.getLogger("porch.server")



async def clean_cache_periodically(runtime: AppRuntime) -> None:
    """Drop old entries every `delete_cache` frequency, else each minute (retention.py)."""
    blocks, cache = runtime.blocks, runtime.cache
    if blocks.delete_cache is None and cache.max_bytes is None and cache.max_idle is None:
        return
    frequency = blocks.delete_cache[0] if blocks.delete_cache else CACHE_SWEEP_S
    while True:
        await anyio.sleep(max(frequency, 1.0))
        removed = await anyio.to_thread.run_sync(cache.cleanup)
        if removed:
            log.info("cache cleanup removed %d file(s)", removed)


async def sweep_sessions_periodically(runtime: AppRuntime) -> None:
    """Drop State values past their time_to_live, and sessions closed long enough."""
    lifetimes = list(runtime.states.lifetimes.values())
    interval = max(min([SESSION_SWEEP_S, *(t / 4 for t in lifetimes)]), 0.05)
    while True:
        await anyio.sleep(interval)
        await anyio.to_thread.run_sync(runtime.states.sweep)
        # Streams of sessions that ended go too (a finished call's, once read, as well).
        runtime.bus.prune(runtime.states.__contains__)


async def renew_session_leases(runtime: AppRuntime) -> None:
    """Every `lease / 3` seconds: renew this replica's leases, and for each session claimed
    from a lost replica run its unload events here, then let its state go after
    `closed_session_keep` as a clean close would."""
    every = runtime.states.lease_every
    if every is None:
        return
    # No page's URL is known for a lost page; unload events' messages go nowhere anyway.
    root = runtime.settings.root_path + runtime.settings.mount_path
    failing = False
    running: set[asyncio.Task[None]] = set()
    while True:
        await anyio.sleep(every)
        try:
            lost = await anyio.to_thread.run_sync(runtime.states.renew_leases)
        except Exception as exc:  # the backend is down: keep trying, say so once
            if not failing:
                log.warning("could not renew this replica's session leases: %s", exc)
            failing = True
            continue
        if failing:
            log.info("session leases renewed again")
        failing = False
        for session_hash in lost:
            task = asyncio.get_running_loop().create_task(
                _unload_lost(runtime, session_hash, root))
            running.add(task)  # a task nobody holds may be collected mid-way
            task.add_done_callback(running.discard)


async def _unload_lost(runtime: AppRuntime, session_hash: str, root: str) -> None:
    await asyncio.gather(*runtime.unload(session_hash, root), return_exceptions=True)
    # The unload events made this replica a local copy of the session: it goes too.
    runtime.states.close(session_hash, runtime.settings.closed_session_keep)
