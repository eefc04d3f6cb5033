"""On a cluster, this replica's hold on the sessions whose heartbeat it serves, and the
unload events of sessions whose holding replica died (porch.cluster.liveness,
docs/cluster.md). One process alone has no leases: the loop ends at once."""

from __future__ import annotations

import asyncio
import logging

import anyio
import anyio.to_thread

from porch.server.runtime import AppRuntime

log = logging.getLogger("porch.server")


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
