"""Ray as an engine: each call is one Ray task.

Like the Dask engine (dask_engine.py): the task runs `porch.engines.worker.run_call`, its
messages come back through a `ray.util.queue.Queue` (an actor) ended by "done", and a
cancelled event puts a token on a stop queue the worker checks between steps, then cancels
the task.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncGenerator, Callable
from typing import Any

import anyio.to_thread

from porch.engines.base import detach_call
from porch.engines.following import follow
from porch.errors import ConfigError


def _ray() -> Any:
    try:
        import ray
    except ImportError as exc:
        raise ConfigError("engine='ray' needs Ray: pip install 'porch[ray]' (or ray)."
                          ) from exc
    return ray


class _RayChannel:
    def __init__(self, messages: Any, stop: Any) -> None:
        self.messages = messages
        self.stop = stop

    def put(self, kind: str, payload: Any) -> None:
        self.messages.put((kind, payload))

    def stopped(self) -> bool:
        return not self.stop.empty()


def _run_on_ray(fn: Callable[..., Any], args: list[Any], kwargs: dict[str, Any],
                messages: Any, stop: Any) -> Any:
    from porch.engines.worker import run_call

    channel = _RayChannel(messages, stop)
    try:
        return run_call(fn, args, kwargs, channel)
    finally:
        channel.put("done", None)


class RayEngine:
    """Run events' functions as Ray tasks.

    `address`: a running cluster ("ray://host:10001", or "auto"); None starts a local Ray
    on first use (`init` options such as `num_cpus` are passed to `ray.init`). `options`
    for every task (e.g. `num_gpus=1`, `memory=...`) as in `ray.remote(...)`.
    """

    name = "ray"

    def __init__(self, address: str | None = None, *, init: dict[str, Any] | None = None,
                 **options: Any) -> None:
        self.address = address
        self.init_options = init or {}
        self.task_options = options
        self._remote: Any = None
        self._started = threading.Lock()

    def __repr__(self) -> str:
        return f"RayEngine({self.address or 'local'!r})"

    def _start(self) -> Any:
        ray = _ray()
        with self._started:
            if not ray.is_initialized():
                try:
                    options = dict(self.init_options)
                    if self.address is None:
                        # A local Ray listens on loopback only, like porch itself.
                        options.setdefault("_node_ip_address", "127.0.0.1")
                    ray.init(address=self.address, include_dashboard=False,
                             log_to_driver=False, **options)
                except ConnectionError as exc:
                    raise ConfigError(f"engine: cannot reach the Ray cluster at "
                                      f"{self.address}: {exc}") from exc
            if self._remote is None:
                # The task may be retried by Ray only when its worker dies (max_retries);
                # a function that raised is never run again.
                self._remote = ray.remote(max_retries=1, retry_exceptions=False)(_run_on_ray)
        return ray

    async def stream(self, fn: Callable[..., Any], args: list[Any], kwargs: dict[str, Any]
                     ) -> AsyncGenerator[tuple[bool, Any], None]:
        # ray.init and the queue actors' creation block: off the event loop.
        ray = await anyio.to_thread.run_sync(self._start)
        from ray.util.queue import Empty, Queue

        messages, stop = await anyio.to_thread.run_sync(lambda: (Queue(), Queue()))
        remote_args, remote_kwargs = detach_call(args, kwargs)
        task = self._remote.options(**self.task_options).remote(
            fn, remote_args, remote_kwargs, messages, stop)

        async def next_message() -> tuple[str, Any] | None:
            try:
                item: tuple[str, Any] = await messages.get_async(timeout=1)
            except Empty:
                return None
            return item

        async def result() -> Any:
            try:
                return await task
            except ray.exceptions.RayTaskError as exc:
                # What the function raised, as itself (a porch.Error keeps its message and
                # title), not Ray's wrapper around its traceback.
                cause = getattr(exc, "cause", None)
                if isinstance(cause, BaseException):
                    raise cause from None
                raise

        def finished() -> bool:
            ready, _ = ray.wait([task], timeout=0)
            return bool(ready)

        async def cancel() -> None:
            await stop.put_async(True)
            ray.cancel(task)

        try:
            async for pair in follow(next_message, result, finished, cancel):
                yield pair
        finally:
            for queue in (messages, stop):
                queue.shutdown()

    async def close(self) -> None:
        ray = _ray()
        if ray.is_initialized() and self.address is None:
            await anyio.to_thread.run_sync(ray.shutdown)
