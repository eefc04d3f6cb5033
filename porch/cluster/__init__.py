"""Running an app as N replicas: the backends that keep what replicas share outside any one
process (docs/cluster.md, ../shared/SCALE-OUT.md). The only package that imports redis-py,
and only once a launch asks for a Redis backend (`launch(backend="redis://...")`,
`porch app.py --backend URL`, PORCH_BACKEND); redis-py is the `porch[redis]` extra.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from porch.errors import ConfigError

if TYPE_CHECKING:
    from porch.blocks.blocks import Blocks
    from porch.server.backend import Backend
    from porch.server.settings import Settings

__all__ = ["connect_backend"]


def connect_backend(settings: Settings, blocks: Blocks) -> Backend:
    """The backend `settings.backend` names, connected (ConfigError if it cannot be)."""
    url = settings.backend
    if url is None:
        from porch.server.backend import MemoryBackend

        return MemoryBackend()
    try:
        import redis  # noqa: F401 - only to tell a missing extra from other errors
    except ImportError:
        raise ConfigError(
            f"backend={url!r} needs redis-py, which is not installed: "
            "pip install 'porch[redis]'.") from None
    from porch.cluster.redis_backend import RedisBackend

    return RedisBackend.connect(url, blocks, secret=settings.cluster_secret,
                                keep_closed=settings.closed_session_keep,
                                lease_ttl=settings.lease_ttl,
                                idle_ttl=settings.session_idle_ttl)
