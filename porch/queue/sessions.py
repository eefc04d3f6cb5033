"""Per-session State values, behind a small interface so a shared store can replace it.

A session's values live until one of these ends them, and each ending calls `on_delete` for
every value it drops (that is how `State(delete_callback=...)` runs):

* a value's own lifetime (`lifetimes[key]` seconds after it was last set) passes;
* the session closes (its heartbeat stream ended) and is not back within the grace time;
* more than `capacity` sessions exist, or their values hold more than `max_bytes`: an idle
  session goes (see `MemoryStateStore._victim`).

A session is *live* while a page or client is attached to it (its heartbeat stream is open)
or one of its events runs; a live session is never evicted. Of the idle ones, sessions that
were opened once and never again (what a flood of fresh session hashes creates) go first,
oldest first, then the least recently used; past the byte budget, the largest idle one
goes. When every session is live, a new one is refused (429) rather than evicting a user.

Who creates sessions is bounded too (`SessionBudget`): each client (its porch client cookie,
else its address) may open `burst` new sessions at once and `rate` more a second.
"""

from __future__ import annotations

import itertools
import logging
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from typing import Any, Protocol

from porch.errors import InvalidRequest

log = logging.getLogger("porch.queue")

OnDelete = Callable[[int, Any], None]


class StateStore(Protocol):
    """Sessions' State values and liveness (MemoryStateStore here; a cluster backend keeps
    them where every replica sees them)."""

    lifetimes: dict[int, float]  # a State's id -> its time_to_live in seconds
    # Seconds between `renew_leases` calls; None: nothing to renew (one process alone).
    lease_every: float | None

    def state(self, session_hash: str) -> MutableMapping[int, Any]: ...

    def open(self, session_hash: str, *, owner: str | None,
             client: str) -> MutableMapping[int, Any]: ...

    def peek(self, session_hash: str) -> MutableMapping[int, Any] | None: ...

    def attach(self, session_hash: str) -> None: ...

    def detach(self, session_hash: str, keep: float) -> bool:
        """A heartbeat stream of the session ended: True if it was the session's last (its
        unload events are due, and run by this caller alone)."""
        ...

    def renew_leases(self) -> list[str]:
        """Keep this process's hold on its attached sessions, and claim those whose holder
        was lost: returns the sessions whose unload events this caller now runs."""
        ...

    def hold(self, session_hash: str, held: bool) -> None: ...

    def close(self, session_hash: str, keep: float) -> None: ...

    def forget(self, session_hash: str) -> None: ...

    def sweep(self) -> int: ...

    def live(self, session_hash: str) -> bool: ...

    def attached(self, session_hash: str) -> bool: ...

    def __contains__(self, session_hash: object) -> bool: ...

    def __len__(self) -> int: ...


class SessionValues(MutableMapping[int, Any]):
    """One session's values by key; an expired value reads as absent (and is dropped)."""

    def __init__(self, store: MemoryStateStore, session_hash: str = "",
                 owner: str | None = None) -> None:
        self._store = store
        self.session_hash = session_hash
        self._values: dict[int, tuple[Any, float]] = {}  # key -> (value, time set)
        self._sizes: dict[int, int] = {}
        self.closes_at: float | None = None
        self.owner = owner  # the client cookie that opened it (None: anyone's)
        self.last_used = store.clock()
        self.uses = 0  # times a client request opened it (not the server's own lookups)
        self.attached = 0  # open heartbeat streams
        self.busy = 0  # events running
        self.size = 0  # approximate bytes of the values

    @property
    def live(self) -> bool:
        return self.attached > 0 or self.busy > 0

    def _expired(self, key: int, now: float) -> bool:
        lifetime = self._store.lifetimes.get(key)
        return lifetime is not None and now - self._values[key][1] > lifetime

    def _take_expired(self, now: float) -> list[tuple[int, Any]]:
        gone = [(k, self._values[k][0]) for k in list(self._values) if self._expired(k, now)]
        for key, _ in gone:
            del self._values[key]
            self._resize(key, 0)
        return gone

    def _resize(self, key: int, size: int) -> None:
        old = self._sizes.pop(key, 0)
        if size:
            self._sizes[key] = size
        self.size += size - old
        self._store.total_bytes += size - old

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
        size = approximate_size(value)
        with self._store.lock:
            self._values[key] = (value, self._store.clock())
            self._resize(key, size)
            evicted = self._store.make_room(keep=self)
        self._store.dropped(evicted)

    def __delitem__(self, key: int) -> None:
        with self._store.lock:
            value, _ = self._values.pop(key)
            self._resize(key, 0)
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
            for key in list(self._sizes):
                self._resize(key, 0)
        return items


def approximate_size(value: Any, depth: int = 3) -> int:
    """Roughly how many bytes `value` holds: cheap, never a copy, good enough to budget by.

    Buffers (bytes, str, numpy arrays) count their length; containers add their first
    thousand items, three levels deep; anything else counts its own object size.
    """
    nbytes = getattr(value, "nbytes", None)  # numpy arrays, memoryviews
    if isinstance(nbytes, int):
        return nbytes
    size = sys.getsizeof(value, 64)
    if depth <= 0 or isinstance(value, (str, bytes, bytearray)):
        return size
    if isinstance(value, Mapping):
        items: Iterator[Any] = itertools.chain.from_iterable(
            itertools.islice(value.items(), 1000))
    elif isinstance(value, (list, tuple, set, frozenset)):
        items = itertools.islice(iter(value), 1000)
    else:
        return size
    return size + sum(approximate_size(item, depth - 1) for item in items)


class SessionBudget:
    """How many new sessions one client may open: `burst` at once, `rate` more a second
    (a token bucket per client, forgotten once full again)."""

    def __init__(self, burst: int = 1000, rate: float = 10.0) -> None:
        self.burst = burst
        self.rate = rate
        self._buckets: dict[str, tuple[float, float]] = {}  # client -> (tokens, when)

    def take(self, client: str, now: float) -> bool:
        tokens, when = self._buckets.get(client, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - when) * self.rate)
        if tokens < 1:
            self._buckets[client] = (tokens, now)
            return False
        self._buckets[client] = (tokens - 1, now)
        if len(self._buckets) > 10_000:  # forget clients whose bucket has refilled
            full = [c for c, (t, w) in self._buckets.items()
                    if t + (now - w) * self.rate >= self.burst]
            for c in full:
                del self._buckets[c]
        return True


class MemoryStateStore:
    """Session states in this process.

    `lifetimes` maps a key (a State's id) to its time to live in seconds; `on_delete(key,
    value)` is called, outside any lock, for each value that goes.
    """

    lease_every: float | None = None  # one process: no leases (see StateStore)

    def __init__(self, capacity: int = 10_000, lifetimes: Mapping[int, float] | None = None,
                 on_delete: OnDelete | None = None,
                 clock: Callable[[], float] = time.monotonic, *,
                 max_bytes: int = 1024**3, budget: SessionBudget | None = None) -> None:
        self.capacity = capacity
        self.max_bytes = max_bytes
        self.budget = budget or SessionBudget()
        self.lifetimes = dict(lifetimes or {})
        self.clock = clock
        self.lock = threading.RLock()
        self.total_bytes = 0
        self._on_delete = on_delete
        self._sessions: OrderedDict[str, SessionValues] = OrderedDict()

    def state(self, session_hash: str) -> SessionValues:
        """The session's values (created empty on first use): the server's own lookup, for
        a session a request already opened or a hash the server made itself."""
        with self.lock:
            values = self._sessions.get(session_hash)
            if values is None:
                values = self._sessions[session_hash] = SessionValues(self, session_hash)
                evicted = self.make_room(keep=values)
            else:
                evicted = []
        self.dropped(evicted)
        return values

    def open(self, session_hash: str, *, owner: str | None, client: str) -> SessionValues:
        """A client's request names `session_hash`: the session, created for it if new.

        Refused (InvalidRequest) if another client owns it (403), if this client opened too
        many new sessions lately, or if every session is live and none can make room (429).
        Using a closing session keeps it: its client is evidently still there.
        """
        with self.lock:
            now = self.clock()
            values = self._sessions.get(session_hash)
            if values is None:
                if not self.budget.take(client, now):
                    raise InvalidRequest("Too many new sessions from this client; wait a "
                                         "moment and try again.", 429)
                values = SessionValues(self, session_hash, owner)
                self._sessions[session_hash] = values
                evicted = self.make_room(keep=values)
                if session_hash not in self._sessions:  # nothing could give way
                    raise InvalidRequest("The server is serving as many sessions as it "
                                         "can; try again later.", 429)
            else:
                if values.owner is not None and values.owner != owner:
                    raise InvalidRequest("This session belongs to another client.", 403)
                self._sessions.move_to_end(session_hash)
                values.closes_at = None
                evicted = []
            values.uses += 1
            values.last_used = now
        self.dropped(evicted)
        return values

    def peek(self, session_hash: str) -> SessionValues | None:
        with self.lock:
            return self._sessions.get(session_hash)

    def adopt(self, session_hash: str, owner: str | None) -> SessionValues | None:
        """The session another replica admitted (a cluster's shared store knows it): its
        values here, made without this replica's budget (the admitting replica took it);
        None if no room can be made."""
        with self.lock:
            values = self._sessions.get(session_hash)
            if values is not None:
                return values
            values = SessionValues(self, session_hash, owner)
            self._sessions[session_hash] = values
            evicted = self.make_room(keep=values)
            found = self._sessions.get(session_hash)
        self.dropped(evicted)
        return found

    def live(self, session_hash: str) -> bool:
        """A page or client is attached to the session, or one of its events runs."""
        values = self.peek(session_hash)
        return values is not None and values.live

    def attached(self, session_hash: str) -> bool:
        """A heartbeat stream of the session is open."""
        values = self.peek(session_hash)
        return values is not None and values.attached > 0

    def attach(self, session_hash: str) -> None:
        """A heartbeat stream opened for the session: it is live until `detach`."""
        with self.lock:
            values = self._sessions.get(session_hash)
            if values is not None:
                values.attached += 1
                values.closes_at = None

    def detach(self, session_hash: str, keep: float) -> bool:
        with self.lock:
            values = self._sessions.get(session_hash)
            if values is None:
                return True
            values.attached = max(0, values.attached - 1)
            if not values.attached:
                values.closes_at = self.clock() + keep
            return not values.attached

    def renew_leases(self) -> list[str]:
        """One process holds its streams itself: no lease to renew, nobody else's to claim."""
        return []

    def hold(self, session_hash: str, held: bool) -> None:
        """An event of the session starts (True) or ends (False) running."""
        with self.lock:
            values = self._sessions.get(session_hash)
            if values is not None:
                values.busy = max(0, values.busy + (1 if held else -1))
                values.last_used = self.clock()

    def make_room(self, keep: SessionValues) -> list[SessionValues]:
        """Evict idle sessions until within `capacity` and `max_bytes` (call with the lock
        held; pass the result to `dropped` after releasing it). `keep` is never evicted;
        if nothing else can go while over capacity, `keep` itself is taken out again."""
        evicted: list[SessionValues] = []
        while len(self._sessions) > self.capacity or self.total_bytes > self.max_bytes:
            by_bytes = len(self._sessions) <= self.capacity
            victim = self._victim(keep, by_bytes)
            if victim is None:
                if not by_bytes:
                    self._remove(keep)
                break
            self._remove(victim)
            evicted.append(victim)
        return evicted

    def _victim(self, keep: SessionValues, by_bytes: bool) -> SessionValues | None:
        """The idle session to evict: the largest (over the byte budget), else the oldest
        once-opened one, else the least recently used. Sessions sit in the order they were
        last opened, so a flood's leftovers are found at the front without a full scan."""
        if by_bytes:
            idle = [v for v in self._sessions.values() if v is not keep and not v.live]
            return max(idle, key=lambda v: v.size) if idle else None
        fallback: SessionValues | None = None
        for values in self._sessions.values():
            if values is keep or values.live:
                continue
            if values.uses <= 1:
                return values
            if fallback is None:
                fallback = values
        return fallback

    def _remove(self, values: SessionValues) -> None:
        if self._sessions.get(values.session_hash) is values:
            del self._sessions[values.session_hash]

    def dropped(self, sessions: list[SessionValues]) -> None:
        for old in sessions:
            self.deleted(old.drain())

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
