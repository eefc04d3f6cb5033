"""Heavy functions on an existing compute engine: Dask (distributed) or Ray.

    engine = porch.DaskEngine("tcp://scheduler:8786")
    button.click(generate, prompt, image, engine=engine)

    @porch.run_on(porch.RayEngine())          # or mark the function once
    def generate(prompt, progress=porch.Progress()): ...

porch keeps everything an event is besides the computation: admission and queue position,
`concurrency_limit`, cancel, time limits, State, the file gate. Only the call of the app's
function (and, for a generator, each step of it) happens on the engine's workers; progress
and toasts raised there come back as the event's messages.

The engines are optional: `pip install "porch[dask]"` or `"porch[ray]"`; the library is
imported on the first call, never with porch.
"""

from typing import Any

from porch.engines.base import Engine
from porch.engines.choice import as_engine, engine_of, run_on

# The engines' own modules (asyncio, anyio, the clients' glue) load when first named, so an
# app that uses none pays nothing at `import porch`.
_LAZY = {"DaskEngine": "porch.engines.dask_engine", "RayEngine": "porch.engines.ray_engine"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'porch.engines' has no attribute {name!r}")


__all__ = ["DaskEngine", "Engine", "RayEngine", "as_engine", "engine_of", "run_on"]
