"""One call of an event's function, here or on the event's engine (porch.engines).

Both give the same async stream of `(final, value)` pairs, so the runtime, batches and
stream events treat a remote call exactly like a local one.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable
from typing import Any

import anyio

from porch.blocks.events import Dependency
from porch.queue.runner import iterate


def calls(dep: Dependency, fn: Callable[..., Any], args: list[Any],
          kwargs: dict[str, Any] | None, limiter: anyio.CapacityLimiter
          ) -> AsyncGenerator[tuple[bool, Any], None]:
    if dep.engine is not None:
        return dep.engine.stream(fn, list(args), dict(kwargs or {}))
    return iterate(fn, args, limiter, kwargs)


async def close_engines(dependencies: list[Dependency]) -> None:
    """At shutdown: each engine the app's events used lets go of its client (and the local
    cluster it started, if any), bounded so a lost cluster cannot hold the shutdown."""
    engines = {id(dep.engine): dep.engine for dep in dependencies if dep.engine is not None}
    for engine in engines.values():
        with anyio.move_on_after(10):
            await engine.close()
