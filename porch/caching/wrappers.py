"""The functions `gr.cache` returns: the app's function, answered from a store when it has
already run on inputs of the same content.

All four kinds of event function are kept as they are (so porch runs the wrapper exactly as
it would the function): a plain function or coroutine stores its return value; a generator
or async generator stores every step it yields, and a hit replays those steps in order, so a
stream looks the same the second time, only faster. A run that fails, or a stream that stops
before its end (cancelled, timed out), stores nothing.

The key is the call's arguments by parameter name, defaults filled in (so `f(1)` and
`f(x=1)` agree), or what the app's `key=` function makes of that dict. Context parameters
porch fills in (a Request, a Progress, a gr.Cache) are left out of it (content.py).
"""

from __future__ import annotations

import copy
import functools
import inspect
from collections.abc import AsyncGenerator, Callable, Generator
from typing import Any

from porch.caching.content import digest
from porch.caching.scope import CacheMiss, current_session, event_function, mark_used, probing
from porch.caching.store import CacheStore, Key

KeyFunction = Callable[[dict[str, Any]], Any]


class CallKeys:
    """Turns one call's arguments into the store's key."""

    def __init__(self, fn: Callable[..., Any], key: KeyFunction | None, per_session: bool,
                 ) -> None:
        self.signature: inspect.Signature | None
        try:
            self.signature = inspect.signature(fn)
        except (TypeError, ValueError):  # a builtin: its arguments as given
            self.signature = None
        self.key = key
        self.per_session = per_session

    def __call__(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Key, Any]:
        named: dict[str, Any]
        if self.signature is None:
            named = {"args": args, "kwargs": kwargs}
        else:
            bound = self.signature.bind(*args, **kwargs)
            bound.apply_defaults()
            named = dict(bound.arguments)
        raw = self.key(named) if self.key is not None else named
        namespace = current_session.get() if self.per_session else None
        return (namespace, digest(raw)), raw


def _answered(wrapper: Callable[..., Any]) -> None:
    # The event's own function answered (probing, or queued and filled meanwhile by an
    # equal event): the whole event came from the cache; a helper inside it: part of it.
    whole = probing.get() or event_function.get() is wrapper
    mark_used("full" if whole else "partial")


def _snapshot(value: Any) -> Any:
    """A step as it is now: streams often yield one list again and again, changed in place
    (a chat history), and the replay must show each step as it was."""
    try:
        return copy.deepcopy(value)
    except Exception:  # not copyable (a handle, a lock): kept as is
        return value


def cached(fn: Callable[..., Any], store: CacheStore, keys: CallKeys) -> Callable[..., Any]:
    """`fn`, answered from `store` when it holds the call's key."""
    if inspect.isasyncgenfunction(fn):
        wrapper = _async_generator(fn, store, keys)
    elif inspect.isgeneratorfunction(fn):
        wrapper = _generator(fn, store, keys)
    elif inspect.iscoroutinefunction(fn):
        wrapper = _coroutine(fn, store, keys)
    else:
        wrapper = _function(fn, store, keys)
    wrapper.cache = store  # type: ignore[attr-defined]  # Gradio's name for the store
    wrapper.__porch_cached__ = True  # type: ignore[attr-defined]  # the server probes it
    return wrapper


def _function(fn: Callable[..., Any], store: CacheStore, keys: CallKeys) -> Callable[..., Any]:
    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        key, raw = keys(args, kwargs)
        entry = store.get(key)
        if entry is not None:
            _answered(run)
            return entry.value
        if probing.get():
            raise CacheMiss
        result = fn(*args, **kwargs)
        store.put(key, result, raw)
        return result

    return run


def _coroutine(fn: Callable[..., Any], store: CacheStore, keys: CallKeys) -> Callable[..., Any]:
    @functools.wraps(fn)
    async def run(*args: Any, **kwargs: Any) -> Any:
        key, raw = keys(args, kwargs)
        entry = store.get(key)
        if entry is not None:
            _answered(run)
            return entry.value
        if probing.get():
            raise CacheMiss
        result = await fn(*args, **kwargs)
        store.put(key, result, raw)
        return result

    return run


def _generator(fn: Callable[..., Any], store: CacheStore, keys: CallKeys) -> Callable[..., Any]:
    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Generator[Any, None, None]:
        key, raw = keys(args, kwargs)
        entry = store.get(key)
        if entry is not None:
            _answered(run)
            yield from entry.value
            return
        if probing.get():
            raise CacheMiss
        steps: list[Any] = []
        inner = fn(*args, **kwargs)
        try:
            for value in inner:
                steps.append(_snapshot(value))
                yield value
        finally:
            inner.close()
        store.put(key, steps, raw)  # reached only when the stream ran to its end

    return run


def _async_generator(fn: Callable[..., Any], store: CacheStore, keys: CallKeys,
                     ) -> Callable[..., Any]:
    @functools.wraps(fn)
    async def run(*args: Any, **kwargs: Any) -> AsyncGenerator[Any, None]:
        key, raw = keys(args, kwargs)
        entry = store.get(key)
        if entry is not None:
            _answered(run)
            for value in entry.value:
                yield value
            return
        if probing.get():
            raise CacheMiss
        steps: list[Any] = []
        inner = fn(*args, **kwargs)
        try:
            async for value in inner:
                steps.append(_snapshot(value))
                yield value
        finally:
            await inner.aclose()
        store.put(key, steps, raw)

    return run


def is_cached(fn: Any) -> bool:
    """Whether `fn` came from `gr.cache` (a hit can then be answered before queueing)."""
    return getattr(fn, "__porch_cached__", False) is True
