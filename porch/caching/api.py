"""`gr.cache` (the decorator) and `gr.Cache` (a store the function reads and writes itself).

    @gr.cache(max_size=256)
    def classify(image): ...

    def generate(prompt, c=gr.Cache(per_session=True)):
        if (hit := c.get(prompt)) is not None: ...
        c.set(prompt, kv=...)

A `gr.Cache` default is filled in by porch with that same object on every call (it is not
an API input: porch.blocks.signature). `ttl=` (seconds) is porch's own addition to both.
"""

from __future__ import annotations

import inspect
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, overload

from porch.caching.content import digest
from porch.caching.scope import current_session, mark_used
from porch.caching.store import CacheStore
from porch.caching.wrappers import CallKeys, KeyFunction, cached
from porch.files.limits import parse_size

# Stores whose entries belong to sessions, emptied of a session's entries when it ends.
_per_session: weakref.WeakSet[CacheStore] = weakref.WeakSet()


def forget_session(session_hash: str) -> int:
    """Drop every per-session cache entry of a session that ended; returns how many."""
    return sum(store.clear_namespace(session_hash) for store in list(_per_session))


def uses_session_caches(fn: Any) -> bool:
    """Whether `fn` keeps per-session entries (a per-session `gr.cache`, or a per-session
    `gr.Cache` default): the page must then keep a heartbeat, whose end frees them."""
    store = getattr(fn, "cache", None)
    if isinstance(store, CacheStore) and store in _per_session:
        return True
    try:
        defaults = [p.default for p in inspect.signature(fn).parameters.values()]
    except (TypeError, ValueError):
        return False
    return any(isinstance(d, Cache) and d.per_session for d in defaults)


def _store(max_size: int, max_memory: str | int | None, per_session: bool,
           ttl: float | None) -> CacheStore:
    store = CacheStore(max_size=max_size, max_bytes=parse_size(max_memory), ttl=ttl)
    if per_session:
        _per_session.add(store)
    return store


# `gr.cache(helper)(x)` inside an event function runs on every call: each must find the same
# wrapper (and its entries), not a new empty one. The registry holds the function itself in
# its key, so an id can never be reused for another function while it is listed; it is
# bounded for apps that wrap a fresh lambda each time.
_REGISTRY_MAX = 1024
_registry: OrderedDict[tuple[Any, ...], Callable[..., Any]] = OrderedDict()
_registry_lock = threading.Lock()


def _wrapper_for(fn: Callable[..., Any], key: KeyFunction | None, max_size: int,
                 max_memory: str | int | None, per_session: bool, ttl: float | None,
                 ) -> Callable[..., Any]:
    config = (fn, key, max_size, parse_size(max_memory), per_session, ttl)
    try:
        hash(config)
    except TypeError:  # a callable object without a hash: its own wrapper each time
        return _make(fn, key, max_size, max_memory, per_session, ttl)
    with _registry_lock:
        found = _registry.get(config)
        if found is not None:
            _registry.move_to_end(config)
            return found
        wrapper = _make(fn, key, max_size, max_memory, per_session, ttl)
        _registry[config] = wrapper
        while len(_registry) > _REGISTRY_MAX:
            _registry.popitem(last=False)
        return wrapper


def _make(fn: Callable[..., Any], key: KeyFunction | None, max_size: int,
          max_memory: str | int | None, per_session: bool, ttl: float | None,
          ) -> Callable[..., Any]:
    store = _store(max_size, max_memory, per_session, ttl)
    return cached(fn, store, CallKeys(fn, key, per_session))


@overload
def cache(fn: Callable[..., Any], *, key: KeyFunction | None = None, max_size: int = 128,
          max_memory: str | int | None = None, per_session: bool = False,
          ttl: float | None = None) -> Callable[..., Any]: ...


@overload
def cache(fn: None = None, *, key: KeyFunction | None = None, max_size: int = 128,
          max_memory: str | int | None = None, per_session: bool = False,
          ttl: float | None = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]: ...


def cache(fn: Callable[..., Any] | None = None, *, key: KeyFunction | None = None,
          max_size: int = 128, max_memory: str | int | None = None,
          per_session: bool = False, ttl: float | None = None) -> Any:
    """Remember what `fn` returned (or, for a generator, every step it yielded) for inputs
    of the same content, and answer from memory next time. `@gr.cache`, `@gr.cache(...)`,
    or `gr.cache(fn)(args)` at run time (the same wrapper every time).

    `key`: a function of the call's arguments by name (a dict) giving what to key on
    instead, e.g. `lambda kw: kw["prompt"]`. `max_size`: entries kept, least recently used
    dropped first (0: unlimited). `max_memory`: bytes kept ("512mb", "2gb" or an int).
    `per_session`: each session its own entries, dropped when the session ends. `ttl`:
    seconds an entry lives (porch's own; None: until evicted).

    On a server, a hit is answered when the event arrives, without waiting in the queue
    (docs/caching.md)."""
    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        return _wrapper_for(func, key, max_size, max_memory, per_session, ttl)

    if fn is None:
        return decorate
    if not callable(fn):
        raise TypeError(f"gr.cache expects a function, not a {type(fn).__name__}: write "
                        "gr.cache(fn)(*args), not gr.cache(fn(*args)).")
    return decorate(fn)


class Cache:
    """A cache the function uses by hand: give a parameter this default and porch passes
    the same object to every call (it is not an input of the API).

        def generate(prompt, c=gr.Cache(per_session=True)):
            hit = c.get(prompt)
            ...
            c.set(prompt, kv=past_key_values)

    Keys are hashed by content like `gr.cache`'s (arrays, images, uploads...). The limits
    are `gr.cache`'s: `max_size`, `max_memory`, `per_session` and porch's `ttl`."""

    # A Cache among a call's arguments (as a default) is not part of any cache key.
    __porch_cache_key__ = None

    def __init__(self, *, max_size: int = 128, max_memory: str | int | None = None,
                 per_session: bool = False, ttl: float | None = None) -> None:
        self.per_session = per_session
        self._store = _store(max_size, max_memory, per_session, ttl)

    def _namespace(self) -> str | None:
        return current_session.get() if self.per_session else None

    def get(self, key: Any) -> dict[str, Any] | None:
        """What `set` stored under `key` (a new dict of its keyword data), or None."""
        entry = self._store.get((self._namespace(), digest(key)))
        if entry is None:
            return None
        mark_used("partial")
        return dict(entry.value)

    def set(self, key: Any, **data: Any) -> None:
        """Store `data` (keyword values) under `key`, replacing what was there."""
        self._store.put((self._namespace(), digest(key)), data, key)

    def keys(self) -> list[Any]:
        """The keys stored (this session's, for a per-session cache), oldest first."""
        return self._store.raw_keys(self._namespace())

    def clear(self) -> None:
        """Drop every entry (of every session)."""
        self._store.clear()

    def __len__(self) -> int:
        return len(self._store)

    def __repr__(self) -> str:
        return (f"<gr.Cache {len(self)} entries, max_size={self._store.max_size}, "
                f"per_session={self.per_session}>")
