"""Per-session State values, behind a small interface so a shared store can replace it.

A session's values live until one of these ends them, and each ending calls `on_delete` for
every value it drops (that is how `State(delete_callback=...)` runs):

* a value's own lifetime (`lifetimes[key]` seconds after it was last set) passes;
* the session closes (its heartbeat stream ended) and is not back within the grace time;
* more than `capacity` sessions exist: the least recently used one goes.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from typing import Any, Protocol

log = logging.getLogger("porch.queue")

OnDelete = Callable[[int, Any], None]


class StateStore(Protocol):
    def state(self, session_hash: str) -> MutableMapping[int, Any]: ...

    def close(self, session_hash: str, keep: float) -> None: ...

    def forget(self, session_hash: str) -> None: ...

    def sweep(self) -> int: ...


class SessionValues(MutableMapping[int, Any]):
    """One session's values by key; an expired value reads as absent (and is dropped)."""

    def __init__(self, store: MemoryStateStore) -> None:
        self._store = store
        self._values: dict[int, tuple[Any, float]] = {}  # key -> (value, time set)
        self.closes_at: float | None = None

    def _expired(self, key: int, now: float) -> bool:
        lifetime = self._store.lifetimes.get(key)
        return lifetime is not None and now - self._values[key][1] > lifetime

    def _take_expired(self, now: float) -> list[tuple[int, Any]]:
        gone = [(k, self._values[k][0]) for k in list(self._values) if self._expired(k, now)]
        for key, _ in gone:
            del self._values[key]
        return gone

    def __getitem__(self, key: int) -> Any:
        with self._store.lock:
            gone = self._take_expired(self._store.clock())
            value = self._values[key][0] if key in self._values else None
            found = key in self._values
        self._store.deleted(gone)
        if not found:
            raise KeyError(key)
        return value

    def __setitem__(self, key: int, value: Any) -> None:
        # Replacing a value is not deleting it: the callback is for values that go away.
        with self._store.lock:
            self._values[key] = (value, self._store.clock())

    def __delitem__(self, key: int) -> None:
        with self._store.lock:
            value, _ = self._values.pop(key)
        self._store.deleted([(key, value)])

    def __iter__(self) -> Iterator[int]:
        with self._store.lock:
            return iter(list(self._values))

    def __len__(self) -> int:
        return len(self._values)

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, int):
            return False
        try:
            self[key]
        except KeyError:
            return False
        return True

    def drain(self) -> list[tuple[int, Any]]:
        with self._store.lock:
            items = [(k, v) for k, (v, _) in self._values.items()]
            self._values.clear()
        return items


class MemoryStateStore:
    """Session states in this process.

    `lifetimes` maps a key (a State's id) to its time to live in seconds; `on_delete(key,
    value)` is called, outside any lock, for each value that goes.
    """

    def __init__(self, capacity: int = 10_000, lifetimes: Mapping[int, float] | None = None,
                 on_delete: OnDelete | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.capacity = capacity
        self.lifetimes = dict(lifetimes or {})
        self.clock = clock
        self.lock = threading.RLock()
        self._on_delete = on_delete
        self._sessions: OrderedDict[str, SessionValues] = OrderedDict()

    def state(self, session_hash: str) -> SessionValues:
        """The session's values (created empty on first use). Using a closing session
        keeps it: its client is evidently still there."""
        evicted: list[SessionValues] = []
        with self.lock:
            values = self._sessions.get(session_hash)
            if values is None:
                values = self._sessions[session_hash] = SessionValues(self)
                while len(self._sessions) > self.capacity:
                    evicted.append(self._sessions.popitem(last=False)[1])
            else:
                self._sessions.move_to_end(session_hash)
                values.closes_at = None
        for old in evicted:
            self.deleted(old.drain())
        return values

    def close(self, session_hash: str, keep: float) -> None:
        """The session's client left: drop its values `keep` seconds from now, unless the
        session is used again before then."""
        with self.lock:
            values = self._sessions.get(session_hash)
            if values is not None:
                values.closes_at = self.clock() + keep

    def forget(self, session_hash: str) -> None:
        with self.lock:
            values = self._sessions.pop(session_hash, None)
        if values is not None:
            self.deleted(values.drain())

    def sweep(self) -> int:
        """Drop expired values and closed sessions past their grace; returns how many
        values went."""
        now = self.clock()
        gone: list[tuple[int, Any]] = []
        with self.lock:
            for session_hash, values in list(self._sessions.items()):
                if values.closes_at is not None and now >= values.closes_at:
                    del self._sessions[session_hash]
                    gone += values.drain()
                else:
                    gone += values._take_expired(now)
        self.deleted(gone)
        return len(gone)

    def deleted(self, items: list[tuple[int, Any]]) -> None:
        if self._on_delete is None:
            return
        for key, value in items:
            try:
                self._on_delete(key, value)
            except Exception:  # app code: its failure must not stop the others
                log.exception("the delete callback of state %s raised", key)

    def __len__(self) -> int:
        return len(self._sessions)

    def __contains__(self, session_hash: object) -> bool:
        return session_hash in self._sessions
