"""Which engine an event runs on: `engine=` spellings and the `@porch.run_on` mark."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from porch.engines.base import Engine
from porch.errors import ConfigError

F = TypeVar("F", bound=Callable[..., Any])

_MARK = "__porch_engine__"

# One engine per spelling, so that two events saying engine="dask" share one cluster client.
_by_spelling: dict[str, Engine] = {}


def as_engine(value: Any) -> Engine | None:
    """An `engine=` value as an Engine: None, an Engine, or a string: "dask" (a local
    cluster), "dask://host:port" or "tcp://host:port" (a running scheduler), "ray" (a
    local Ray), "ray://host:port" (a running Ray cluster)."""
    if value is None or isinstance(value, Engine):
        return value
    if not isinstance(value, str):
        raise ConfigError(f"engine= takes a porch.DaskEngine, a porch.RayEngine or a string "
                          f"such as 'dask' or 'ray://host:10001', got {value!r}.")
    if value not in _by_spelling:
        from porch.engines.dask_engine import DaskEngine
        from porch.engines.ray_engine import RayEngine

        engine: Engine
        if value == "dask":
            engine = DaskEngine()
        elif value.startswith("dask://"):
            engine = DaskEngine("tcp://" + value.removeprefix("dask://"))
        elif value.startswith(("tcp://", "tls://")):
            engine = DaskEngine(value)
        elif value == "ray":
            engine = RayEngine()
        elif value.startswith("ray://"):
            engine = RayEngine(value)
        else:
            raise ConfigError(f"engine={value!r}: say 'dask', 'dask://host:port', 'ray' or "
                              "'ray://host:port', or pass a porch.DaskEngine/porch.RayEngine.")
        _by_spelling[value] = engine
    return _by_spelling[value]


def run_on(engine: Any) -> Callable[[F], F]:
    """Mark a function to run on `engine` in every event that calls it:
    `@porch.run_on("dask")`. The function itself is unchanged (calling it directly still
    runs it here); an event's own `engine=` wins over the mark."""
    resolved = as_engine(engine)

    def mark(fn: F) -> F:
        setattr(fn, _MARK, resolved)
        return fn

    return mark


def engine_of(fn: Callable[..., Any] | None, engine: Any = None) -> Engine | None:
    """The engine an event runs `fn` on: its own `engine=`, else the function's mark."""
    if engine is not None:
        return as_engine(engine)
    return getattr(fn, _MARK, None) if fn is not None else None
