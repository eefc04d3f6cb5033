"""Dask (distributed) as an engine: each call is one task on the cluster.

The porch server keeps an asynchronous `distributed.Client` per event loop. A call is
submitted as a task running `porch.engines.worker.run_call`; what it reports while it runs
(generator steps, progress, toasts) comes back through a `distributed.Queue` named after
the call, ended by a "done" message; the task's result is the plain function's result.
Cancelling the event sets a `distributed.Event` the worker checks between steps and
cancels the task.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncGenerator, Callable
from typing import Any

from porch.engines.base import detach_call
from porch.engines.following import follow
from porch.errors import ConfigError


def _distributed() -> Any:
    try:
        import distributed
    except ImportError as exc:
        raise ConfigError("engine='dask' needs Dask's distributed scheduler: "
                          "pip install 'porch[dask]' (or dask[distributed]).") from exc
    return distributed


class _DaskChannel:
    """The worker's end: the call's queue and stop flag, through the worker's client."""

    def __init__(self, name: str) -> None:
        distributed = _distributed()
        self.queue = distributed.Queue(f"{name}-messages")
        self.stop = distributed.Event(f"{name}-stop")

    def put(self, kind: str, payload: Any) -> None:
        self.queue.put((kind, payload))

    def stopped(self) -> bool:
        return bool(self.stop.is_set())


def _run_on_dask(fn: Callable[..., Any], args: list[Any], kwargs: dict[str, Any],
                 name: str) -> Any:
    from porch.engines.worker import run_call

    channel = _DaskChannel(name)
    try:
        return run_call(fn, args, kwargs, channel)
    finally:
        channel.put("done", None)


class DaskEngine:
    """Run events' functions on a Dask cluster.

    `address`: a running scheduler ("tcp://host:8786"); None starts a local cluster of
    `n_workers` worker processes (each its own interpreter, started as a subprocess, so an
    app script is never re-imported by them) on first use. `submit` options (e.g.
    `resources={"GPU": 1}`, `priority`) are passed to every task.
    """

    name = "dask"

    def __init__(self, address: str | None = None, *, n_workers: int = 1,
                 threads_per_worker: int = 1, **submit: Any) -> None:
        self.address = address
        self.n_workers = n_workers
        self.threads_per_worker = threads_per_worker
        self.submit_options = submit
        self._clients: dict[asyncio.AbstractEventLoop, Any] = {}
        self._cluster: Any = None

    def __repr__(self) -> str:
        return f"DaskEngine({self.address or 'local cluster'!r})"

    async def _client(self) -> Any:
        loop = asyncio.get_running_loop()
        client = self._clients.get(loop)
        if client is not None:
            return client
        distributed = _distributed()
        address = self.address
        if address is None:
            if self._cluster is None:
                from distributed.deploy.subprocess import SubprocessCluster

                self._cluster = await SubprocessCluster(
                    host="127.0.0.1", n_workers=self.n_workers,
                    threads_per_worker=self.threads_per_worker, dashboard_address="",
                    worker_class="distributed.Worker", asynchronous=True)
            address = self._cluster.scheduler_address
        try:
            client = await distributed.Client(address, asynchronous=True, timeout="20s")
        except OSError as exc:
            raise ConfigError(f"engine: cannot reach the Dask scheduler at {address}: {exc}"
                              ) from exc
        self._clients[loop] = client
        return client

    async def stream(self, fn: Callable[..., Any], args: list[Any], kwargs: dict[str, Any]
                     ) -> AsyncGenerator[tuple[bool, Any], None]:
        distributed = _distributed()
        client = await self._client()
        name = f"porch-call-{uuid.uuid4().hex}"
        messages = await distributed.Queue(f"{name}-messages", client=client)
        stop = distributed.Event(f"{name}-stop", client=client)
        remote_args, remote_kwargs = detach_call(args, kwargs)
        future = client.submit(_run_on_dask, fn, remote_args, remote_kwargs, name, key=name,
                               pure=False, **self.submit_options)

        async def next_message() -> tuple[str, Any] | None:
            try:
                item: tuple[str, Any] = await messages.get(timeout=1)
            except asyncio.TimeoutError:
                return None
            return item

        async def result() -> Any:
            return await future

        async def cancel() -> None:
            await stop.set()
            await client.cancel(future)

        async for pair in follow(next_message, result, lambda: future.done(), cancel):
            yield pair

    async def close(self) -> None:
        """Close this loop's client, and the local cluster once no client is left (a later
        call starts a new one)."""
        client = self._clients.pop(asyncio.get_running_loop(), None)
        if client is not None:
            await client.close()
        if self._cluster is not None and not self._clients:
            await self._cluster.close()
            self._cluster = None
