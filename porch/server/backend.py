"""Where an app keeps what more than one request shares: the seams of a cluster.

`AppRuntime` receives a `Backend` and asks it for each shared part: the message bus (events'
messages waiting for their readers), the job queue (admission, order, concurrency limits),
the State store (sessions' values and liveness), the file cache's registry, the login
sessions and brake, OpenID Connect sign-ins (under way, and signed in), and DeepLinkButton's
links with the outputs each session was sent. `MemoryBackend`
gives today's in-process implementations; a cluster backend gives ones every replica sees
(../shared/SCALE-OUT.md), and nothing above this module changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol
from urllib.parse import urlsplit

from porch.errors import ConfigError
from porch.files.registry import CacheRegistry, MemoryRegistry
from porch.queue.channels import MemoryBus, MessageBus, Retention
from porch.queue.scheduler import JobQueue, Scheduler
from porch.queue.sessions import MemoryStateStore, OnDelete, SessionBudget, StateStore
from porch.server.auth import LoginSessions, Sessions
from porch.server.brake import LoginBrake, MemoryLoginBrake
from porch.server.deep_links import DeepLinks, DeepLinkStore
from porch.server.oidc.sessions import (
    PendingSignIns,
    PendingStore,
    SignedInSessions,
    SignedInStore,
)


class Backend(Protocol):
    def message_bus(self, *, retention: Retention) -> MessageBus: ...

    def job_queue(self, *, max_size: int | None) -> JobQueue: ...

    def state_store(self, *, capacity: int, max_bytes: int, budget: SessionBudget,
                    lifetimes: Mapping[int, float], on_delete: OnDelete) -> StateStore: ...

    def cache_registry(self) -> CacheRegistry: ...

    def login_sessions(self) -> LoginSessions: ...

    def login_brake(self) -> LoginBrake: ...

    def oidc_pending(self, *, timeout: float) -> PendingStore: ...

    def oidc_sessions(self) -> SignedInStore: ...

    def deep_links(self) -> DeepLinkStore: ...

    def shared_key(self) -> bytes | None:
        """A key every replica holds (cookie names and signatures derive from it), or None:
        this process alone, where random per-process keys do."""
        ...

    def outages(self) -> tuple[type[Exception], ...]:
        """The errors that mean the backend is unreachable: a request meeting one is
        answered 503 (nothing was done), not 500."""
        ...

    async def close(self) -> None:
        """Let go of connections (the server is stopping)."""
        ...


class MemoryBackend:
    """Everything in this process: one server, no replicas."""

    def message_bus(self, *, retention: Retention) -> MessageBus:
        return MemoryBus(retention=retention)

    def job_queue(self, *, max_size: int | None) -> JobQueue:
        return Scheduler(max_size=max_size)

    def state_store(self, *, capacity: int, max_bytes: int, budget: SessionBudget,
                    lifetimes: Mapping[int, float], on_delete: OnDelete) -> StateStore:
        return MemoryStateStore(capacity=capacity, max_bytes=max_bytes, budget=budget,
                                lifetimes=lifetimes, on_delete=on_delete)

    def cache_registry(self) -> CacheRegistry:
        return MemoryRegistry()

    def login_sessions(self) -> LoginSessions:
        return Sessions()

    def login_brake(self) -> LoginBrake:
        return MemoryLoginBrake()

    def oidc_pending(self, *, timeout: float) -> PendingStore:
        return PendingSignIns(timeout)

    def oidc_sessions(self) -> SignedInStore:
        return SignedInSessions()

    def deep_links(self) -> DeepLinkStore:
        return DeepLinks()

    def shared_key(self) -> bytes | None:
        return None

    def outages(self) -> tuple[type[Exception], ...]:
        return ()

    async def close(self) -> None:
        """Nothing to let go of."""


class BackendURLError(ConfigError, ValueError):
    """`backend=` / `--backend` / PORCH_BACKEND is not a backend porch knows."""


BACKEND_SCHEMES = ("redis", "rediss", "unix")


def backend_url(value: str | None) -> str | None:
    """The backend a launch asks for: None (or "memory") for this process alone, else a
    Redis URL, checked here (no redis-py needed) so a typo fails at launch naming itself:
    `redis://host:port/db`, `rediss://` (TLS) or `unix:///path/to/redis.sock`."""
    if value is None or not value.strip() or value.strip().lower() == "memory":
        return None
    text = value.strip()
    try:
        parts = urlsplit(text)
        port = parts.port  # raises on a port that is not a number or out of range
        db = parts.path.strip("/") if parts.scheme != "unix" else ""
    except ValueError as exc:
        raise BackendURLError(f"backend={value!r} is not a valid URL ({exc}).") from None
    if parts.scheme not in BACKEND_SCHEMES:
        raise BackendURLError(
            f"backend={value!r}: porch knows 'memory' and Redis URLs "
            "(redis://host:port/db, rediss://..., unix:///path); "
            f"not the scheme {parts.scheme or '(none)'!r}.")
    if parts.scheme == "unix" and not parts.path:
        raise BackendURLError(f"backend={value!r}: a unix:// URL needs a socket path.")
    if parts.scheme != "unix" and not parts.hostname:
        raise BackendURLError(f"backend={value!r}: the URL names no host.")
    if db and not db.isdigit():
        raise BackendURLError(
            f"backend={value!r}: the path must be a database number (/0), not {db!r}.")
    del port
    return text
