"""`batch=True` events: waiting calls of one function run as one call of lists.

The queue hands the first job's work every member of the batch (`Scheduler`); here the
members' inputs become one list per input, the function runs once, and each caller gets its
own item of each output, with its own messages. A direct run (`/run`) has no batch: it calls
the function as a batch of one.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

import anyio

from porch import protocol
from porch.blocks.blocks import Blocks
from porch.blocks.events import Dependency
from porch.components.base import Conversion
from porch.queue.scheduler import Job
from porch.queue.sessions import StateStore
from porch.reporting import current_reporter
from porch.server.calls import Call, Durations, InputError, time_limit_error
from porch.server.engine_calls import calls
from porch.server.reporter import Reporter
from porch.server.settings import Settings

T = TypeVar("T")


class BatchRunner(Protocol):
    """What a batch needs of the runtime (`porch.server.runtime`, which sits above this module
    and calls `run_batch`)."""

    blocks: Blocks
    states: StateStore

    @property
    def limiter(self) -> anyio.CapacityLimiter: ...

    def conversion(self, root: str) -> Conversion: ...

    async def in_thread_if(self, io: bool, fn: Callable[..., T], *args: Any) -> T: ...

    def fail(self, job: Job, dep: Dependency, exc: Exception) -> None: ...

    @property
    def durations(self) -> Durations: ...

    @property
    def settings(self) -> Settings: ...


async def run_batch(runtime: BatchRunner, dep: Dependency, jobs: list[Job]) -> None:
    """Run waiting calls of a `batch=True` event as one call: `fn` gets a list per input
    and returns a list per output; each caller gets its own item (and messages)."""
    assert dep.fn is not None
    reporter = Reporter([(job.send, job.event_id) for job in jobs],
                        asyncio.get_running_loop())
    token = current_reporter.set(reporter)
    io = any(c.does_io for c in (*dep.inputs, *dep.outputs))
    started = time.monotonic()
    members: list[tuple[Job, list[Any]]] = []
    try:
        for job in jobs:
            call: Call = job.payload
            try:
                values = await runtime.in_thread_if(
                    io, runtime.blocks.convert_inputs, dep, call.data,
                    runtime.states.state(call.session), runtime.conversion(call.root))
            except Exception as exc:
                runtime.fail(job, dep, InputError(str(getattr(exc, "message", exc))))
                continue
            members.append((job, values))
        if not members:
            return
        columns = [[values[i] for _, values in members] for i in range(len(dep.inputs))]
        args, kwargs = dep.signature.bind(columns)
        result: Any = None
        with anyio.move_on_after(dep.time_limit) as limit:
            async for _, value in calls(dep, dep.fn, args, kwargs, runtime.limiter):
                result = value
        if limit.cancelled_caught:
            raise time_limit_error(dep)
        per_output = _batch_columns(dep, result, len(members))
        duration = time.monotonic() - started
        average = runtime.durations.record(dep, duration)
        for index, (job, _) in enumerate(members):
            call = job.payload
            items = [column[index] for column in per_output]
            value = items[0] if len(items) == 1 else items
            try:
                payload = await runtime.in_thread_if(
                    io, runtime.blocks.finish_outputs, dep, value,
                    runtime.states.state(call.session), runtime.conversion(call.root))
            except Exception as exc:
                runtime.fail(job, dep, exc)
                continue
            job.send(protocol.completed(job.event_id, protocol.success_output(
                payload, generating=False, duration=duration, average=average),
                success=True, duration=duration, average=average))
    except asyncio.CancelledError:
        for job, _ in members:
            job.send(protocol.completed(job.event_id, {}, success=True))
        raise
    except Exception as exc:
        for job, _ in members:
            runtime.fail(job, dep, exc)
    finally:
        reporter.close()
        current_reporter.reset(token)


def _batch_columns(dep: Dependency, result: Any, size: int) -> list[list[Any]]:
    """A batch function's result as one list per output, each with an item per caller."""
    count = len(dep.outputs)
    if count == 0:
        return []
    columns = list(result) if isinstance(result, (list, tuple)) else []
    columns = [list(c) if isinstance(c, (list, tuple)) else c for c in columns]
    if len(columns) != count or any(not isinstance(c, list) or len(c) != size
                                    for c in columns):
        name = getattr(dep.fn, "__name__", "The function")
        raise ValueError(f"{name} (batch=True) got {size} call(s): it must return one list "
                         f"per output ({count}), each with one item per call, e.g. "
                         "`return [results]` for one output.")
    return columns


def one_call_of_batch(dep: Dependency) -> Callable[..., Any]:
    """A `batch=True` function as a one-call function, for a direct run (`/run`) that skips
    the queue and so has no batch: each input goes in as a list of one, and the item comes
    back out of each output's list."""
    assert dep.fn is not None
    fn = dep.fn
    injected = {item.name for item in dep.signature.injected}

    def wrap(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[list[Any], dict[str, Any]]:
        return [[a] for a in args], {k: v if k in injected else [v] for k, v in kwargs.items()}

    def unwrap(result: Any) -> Any:
        items = [column[0] for column in _batch_columns(dep, result, 1)]
        return items[0] if len(items) == 1 else items or None

    if inspect.iscoroutinefunction(fn):
        async def one_async(*args: Any, **kwargs: Any) -> Any:
            batch_args, batch_kwargs = wrap(args, kwargs)
            return unwrap(await fn(*batch_args, **batch_kwargs))

        return one_async

    def one(*args: Any, **kwargs: Any) -> Any:
        batch_args, batch_kwargs = wrap(args, kwargs)
        return unwrap(fn(*batch_args, **batch_kwargs))

    return one
