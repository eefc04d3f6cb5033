"""`RedisBackend`: the parts of an app every replica must share, kept in one Redis.

Shared here: the message bus (porch.cluster.streams) and the job queue with its leases
(porch.cluster.jobs), so a `queue/join`, the run and the `queue/data` stream may each reach a
different replica; login sessions, the login brake, the file cache's registry, OpenID Connect
sign-ins, the app's `gr.State` values, which sessions have a page attached (with a lease
per replica, porch.cluster.liveness: a session's unload events run once, where its last
heartbeat ended, or on a survivor once the replica holding it died), and DeepLinkButton's
links with the outputs each session was sent (porch.cluster.deep_link_store). Not shared
(docs/cluster.md): the events that run where they were joined (porch.server.job_codec).

Keys are namespaced per app, `porch:<app id>` (`app_id`): replicas of one app share them;
another app, or another version of this one, does not.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Mapping

import redis
import redis.asyncio

from porch.blocks.blocks import Blocks
from porch.cluster.brake import RedisLoginBrake
from porch.cluster.deep_link_store import RedisDeepLinks
from porch.cluster.jobs import RedisJobQueue
from porch.cluster.replies import as_bytes
from porch.cluster.signing import Signer, derive
from porch.cluster.state_store import RedisStateStore
from porch.cluster.stores import (
    RedisLoginSessions,
    RedisPendingSignIns,
    RedisRegistry,
    RedisSignedInSessions,
)
from porch.cluster.streams import LONGEST_BLOCK_S, RedisBus
from porch.components.state import State
from porch.errors import ConfigError
from porch.files.registry import CacheRegistry
from porch.queue.channels import MessageBus, Retention
from porch.queue.scheduler import JobQueue
from porch.queue.sessions import OnDelete, SessionBudget, StateStore
from porch.server.auth import LoginSessions
from porch.server.brake import LoginBrake
from porch.server.deep_links import DeepLinkStore
from porch.server.oidc.sessions import PendingStore, SignedInStore
from porch.server.settings import DEFAULT_LEASE_TTL, DEFAULT_SESSION_IDLE_TTL

log = logging.getLogger("porch.cluster")

SECRET_KEY = "porch:cluster-secret"  # where a secret lives when no PORCH_CLUSTER_SECRET is set
SOCKET_TIMEOUT = 5.0  # a Redis that stops answering fails the request, never hangs it


class BackendUnavailable(ConfigError, ConnectionError):
    """The backend's Redis did not answer when the app launched."""


def app_id(blocks: Blocks) -> str:
    """The app's name in Redis keys: its title and 12 hex of a digest of its shape (its
    blocks, their types and its endpoints). Replicas of one script agree; a changed app (new
    blocks, other State ids) gets keys of its own, so old values never meet new code."""
    shape = [(block_id, type(block).__name__) for block_id, block in sorted(
        blocks.blocks.items())]
    endpoints = [(dep.id, dep.api_name) for dep in blocks.dependencies]
    digest = hashlib.sha256(repr((shape, endpoints)).encode()).hexdigest()[:12]
    title = "".join(c if c.isalnum() or c in "-_" else "-" for c in (blocks.title or "app"))
    return f"{title[:40]}-{digest}"


def shared_states(blocks: Blocks) -> frozenset[int]:
    """Ids of the States whose values go to Redis: the app's own, except `local=True`.
    (A `@render`'s States get new ids on each replica, so they stay local.)"""
    return frozenset(block_id for block_id, block in blocks.blocks.items()
                     if isinstance(block, State) and not block.local)


class RedisBackend:
    """The `Backend` of a cluster of replicas sharing one Redis (see the module docstring)."""

    def __init__(self, client: redis.Redis, *, app: str, secret: bytes,
                 shared: frozenset[int], keep_closed: float = 600.0,
                 lease_ttl: float = DEFAULT_LEASE_TTL,
                 idle_ttl: float = DEFAULT_SESSION_IDLE_TTL) -> None:
        self.client = client
        self.prefix = f"porch:{app}"
        self._secret = secret
        self._shared = shared
        self._keep_closed = keep_closed
        self.lease_ttl = lease_ttl
        self.idle_ttl = idle_ttl
        kwargs = client.connection_pool.connection_kwargs
        self._url_kwargs = {k: kwargs[k] for k in ("host", "port", "db", "path", "username",
                                                   "password") if kwargs.get(k) is not None}
        self._tls = client.connection_pool.connection_class.__name__.startswith("SSL")
        self._async: list[redis.asyncio.Redis] = []

    def _async_client(self, timeout: float | None) -> redis.asyncio.Redis:
        """A client for waits (blocking reads, the doorbells): they hold a connection for as
        long as they wait, so they get a pool of their own, with `timeout` past the wait."""
        kwargs: dict[str, object] = dict(self._url_kwargs)
        if "path" in kwargs:
            kwargs["unix_socket_path"] = kwargs.pop("path")
        client = redis.asyncio.Redis(**kwargs, ssl=self._tls,  # type: ignore[arg-type]
                                     socket_timeout=timeout,
                                     socket_connect_timeout=SOCKET_TIMEOUT,
                                     health_check_interval=30)
        self._async.append(client)
        return client

    def outages(self) -> tuple[type[Exception], ...]:
        return (redis.ConnectionError, redis.TimeoutError)

    async def close(self) -> None:
        """Hang up every connection (the server is stopping)."""
        for client in self._async:
            await client.aclose()
        self.client.close()

    @classmethod
    def connect(cls, url: str, blocks: Blocks, *, secret: str | None = None,
                keep_closed: float = 600.0, lease_ttl: float = DEFAULT_LEASE_TTL,
                idle_ttl: float = DEFAULT_SESSION_IDLE_TTL) -> RedisBackend:
        """Connect to the Redis at `url` and prove it answers (BackendUnavailable naming the
        URL if not). `secret`: the cluster's (PORCH_CLUSTER_SECRET); None takes the one kept
        in Redis, made by the first replica to start."""
        try:
            client = redis.Redis.from_url(url, socket_timeout=SOCKET_TIMEOUT,
                                          socket_connect_timeout=SOCKET_TIMEOUT,
                                          health_check_interval=30)
            client.ping()
        except (redis.RedisError, OSError, ValueError) as exc:
            raise BackendUnavailable(
                f"Cannot reach the backend at {_shown(url)}: {exc}. Start Redis there, or "
                "launch without backend= (PORCH_BACKEND) for one process alone.") from None
        if secret is not None:
            key = secret.encode("utf-8", "surrogatepass")
        else:
            client.set(SECRET_KEY, secrets.token_hex(32), nx=True)
            key = as_bytes(client.get(SECRET_KEY))
            log.warning("no PORCH_CLUSTER_SECRET is set: the replicas sign with a secret kept "
                        "in Redis (%s), which anyone who can read that Redis can use. Set "
                        "PORCH_CLUSTER_SECRET on every replica.", SECRET_KEY)
        return cls(client, app=app_id(blocks), secret=key, shared=shared_states(blocks),
                   keep_closed=keep_closed, lease_ttl=lease_ttl, idle_ttl=idle_ttl)

    def shared_key(self) -> bytes | None:
        return derive(self._secret, "cookies:" + self.prefix)

    def message_bus(self, *, retention: Retention) -> MessageBus:
        return RedisBus(self.client, self._async_client(LONGEST_BLOCK_S + SOCKET_TIMEOUT),
                        self.prefix, retention)

    def job_queue(self, *, max_size: int | None) -> JobQueue:
        return RedisJobQueue(self.client, self._async_client(None), self.prefix,
                             Signer(derive(self._secret, "jobs:" + self.prefix)),
                             max_size=max_size, lease_ttl=self.lease_ttl,
                             writer=self._async_client(SOCKET_TIMEOUT))

    def state_store(self, *, capacity: int, max_bytes: int, budget: SessionBudget,
                    lifetimes: Mapping[int, float], on_delete: OnDelete) -> StateStore:
        return RedisStateStore(self.client, self.prefix,
                               Signer(derive(self._secret, "state:" + self.prefix)),
                               self._shared, capacity=capacity, max_bytes=max_bytes,
                               budget=budget, lifetimes=lifetimes, on_delete=on_delete,
                               keep_closed=self._keep_closed, idle_ttl=self.idle_ttl,
                               lease=self.lease_ttl)

    def cache_registry(self) -> CacheRegistry:
        return RedisRegistry(self.client, self.prefix)

    def login_sessions(self) -> LoginSessions:
        return RedisLoginSessions(self.client, self.prefix)

    def login_brake(self) -> LoginBrake:
        return RedisLoginBrake(self.client, self.prefix)

    def oidc_pending(self, *, timeout: float) -> PendingStore:
        return RedisPendingSignIns(self.client, self.prefix, timeout)

    def oidc_sessions(self) -> SignedInStore:
        return RedisSignedInSessions(self.client, self.prefix,
                                     derive(self._secret, "oidc:" + self.prefix))

    def deep_links(self) -> DeepLinkStore:
        return RedisDeepLinks(self.client, self.prefix,
                              Signer(derive(self._secret, "deep-links:" + self.prefix)))


def _shown(url: str) -> str:
    """`url` without its password, fit for an error message or a log."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)[1]
    user = f"{parts.username}:***@" if parts.username else ":***@"
    return urlunsplit(parts._replace(netloc=user + netloc))
