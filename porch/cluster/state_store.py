"""Sessions' State values in Redis, so that an event on any replica sees what an event on
another replica stored.

One hash per session, `<prefix>:s:<session>`: field `v:<id>` holds a State's value (pickled
and signed, signing.py), `t:<id>` when it was set, `owner` the client cookie that opened the
session (so no replica lets another client attach to it). Which values are shared: those of
the app's own `gr.State`s, except `State(local=True)`. Everything else a session keeps (its
view of `@render`ed blocks, render-drawn States, `local=True` values) stays in this replica's
memory (`MemoryStateStore`), and so do capacity and the new-session budget: those describe
the clients of this replica. Whether a page is attached (its heartbeat stream open) is
shared: porch.cluster.liveness counts every replica's streams, with a lease per replica.

Reads return a fresh object, so in-place mutation (`history.append(x)` without returning
`history`) is kept the way SCALE-OUT.md §2.4 says: every value an event read is pickled
again when the event ends (`hold(..., False)`) and written if its bytes changed. Two events
changing the same State at once on different replicas: the last to finish wins.

Admission (`open`) checks the session's owner in Redis and pushes its lifetime back; a replica
that confirmed the owner lately (within half the shortest TTL a replica sets, 30 s at most)
admits the same client's next events without a call.

Lifetimes are Redis TTLs, not a sweeper: a session's hash expires `idle_ttl` after its last
use (PORCH_SESSION_IDLE_TTL; while a page is attached anywhere, its holder keeps pushing that
back), and `closed_session_keep` after its last page left, on whichever replica. A State's
own `time_to_live` is checked when the value is read.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from typing import Any

import redis

from porch.cluster.liveness import SharedLiveness
from porch.cluster.replies import as_bytes, as_text
from porch.cluster.signing import Signer, StateNotShareable, TamperedValue
from porch.errors import InvalidRequest
from porch.queue.sessions import MemoryStateStore, OnDelete, SessionBudget, SessionValues
from porch.server.settings import DEFAULT_LEASE_TTL

log = logging.getLogger("porch.cluster")

CONFIRM_AT_MOST_S = 30.0  # how long a session's owner, once confirmed, is taken as known
CONFIRMED_CAPACITY = 100_000  # sessions remembered so (the least recently used go)
MAX_VALUE_BYTES = 16 * 1024 * 1024  # one State's pickled value; past it, refused
DEFAULT_IDLE_TTL = 24 * 3600.0


class SharedValues(MutableMapping[int, Any]):
    """One session's values: shared keys in Redis, the others in this replica's memory."""

    def __init__(self, store: RedisStateStore, session_hash: str,
                 local: SessionValues) -> None:
        self._store = store
        self.session_hash = session_hash
        self.local = local

    def __getitem__(self, key: int) -> Any:
        if key not in self._store.shared:
            return self.local[key]
        return self._store.read(self.session_hash, key)

    def __setitem__(self, key: int, value: Any) -> None:
        if key not in self._store.shared:
            self.local[key] = value
            return
        self._store.write(self.session_hash, key, value)

    def __delitem__(self, key: int) -> None:
        if key not in self._store.shared:
            del self.local[key]
            return
        if not self._store.delete(self.session_hash, key):
            raise KeyError(key)

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, int):
            return False
        if key not in self._store.shared:
            return key in self.local
        return self._store.has(self.session_hash, key)

    def _shared_keys(self) -> list[int]:
        fields = self._store.client.hkeys(self._store.key(self.session_hash))
        names = [as_bytes(f) for f in fields]
        return [int(f[2:]) for f in names if f.startswith(b"v:")]

    def __iter__(self) -> Iterator[int]:
        return iter([*self.local, *self._shared_keys()])

    def __len__(self) -> int:
        return len(self.local) + len(self._shared_keys())


class RedisStateStore:
    """`StateStore` over Redis for the app's shared States (see the module docstring)."""

    def __init__(self, client: redis.Redis, prefix: str, signer: Signer,
                 shared: frozenset[int], *, capacity: int, max_bytes: int,
                 budget: SessionBudget, lifetimes: Mapping[int, float], on_delete: OnDelete,
                 keep_closed: float, idle_ttl: float = DEFAULT_IDLE_TTL,
                 lease: float = DEFAULT_LEASE_TTL,
                 clock: Callable[[], float] = time.time) -> None:
        self.client = client
        self.prefix = prefix
        self.signer = signer
        self.shared = shared
        self.keep_closed = keep_closed
        self.idle_ttl = max(idle_ttl, keep_closed)
        self.clock = clock
        self._on_delete = on_delete
        self.local = MemoryStateStore(capacity=capacity, max_bytes=max_bytes, budget=budget,
                                      lifetimes=lifetimes, on_delete=on_delete)
        self.lifetimes = self.local.lifetimes
        self.liveness = SharedLiveness(client, prefix, lease=lease, keep_closed=keep_closed,
                                       idle_ttl=self.idle_ttl, clock=clock)
        self.lease_every: float | None = self.liveness.every
        self._lock = threading.Lock()
        # Per session, the values events were handed (and the bytes they came from): what
        # the end of an event pickles again to keep in-place changes.
        self._handed: dict[str, dict[int, tuple[Any, bytes]]] = {}
        # Sessions whose owner Redis confirmed lately (session -> (owner, when)): another
        # event of the same client within `_confirm_for` needs no call. Shorter than half the
        # shortest TTL any replica may set (a close elsewhere sets `keep_closed`), so a
        # session in use is confirmed, and its TTL pushed back, before it could lapse.
        self._confirmed: OrderedDict[str, tuple[str, float]] = OrderedDict()
        self._confirm_for = min(CONFIRM_AT_MOST_S, keep_closed / 2, self.idle_ttl / 2)

    def key(self, session_hash: str) -> str:
        return f"{self.prefix}:s:{session_hash}"

    def _context(self, session_hash: str, state_id: int) -> bytes:
        return f"state\0{session_hash}\0{state_id}".encode("utf-8", "surrogatepass")

    # ---- values ---------------------------------------------------------------------------
    def _dumps(self, session_hash: str, state_id: int, value: Any) -> bytes:
        data = self.signer.dumps(value, self._context(session_hash, state_id),
                                 what=f"State {state_id}")
        if len(data) > MAX_VALUE_BYTES:
            raise StateNotShareable(
                f"State {state_id} holds {len(data)} bytes once pickled, more than the "
                f"{MAX_VALUE_BYTES} a shared value may hold. Use gr.State(local=True) to keep "
                "it in this replica's memory only.")
        return data

    def read(self, session_hash: str, state_id: int) -> Any:
        key = self.key(session_hash)
        found, stamp = self.client.hmget(key, f"v:{state_id}", f"t:{state_id}")
        if found is None:
            raise KeyError(state_id)
        data = as_bytes(found)
        try:
            value = self.signer.loads(data, self._context(session_hash, state_id))
        except TamperedValue:
            self._drop_tampered(session_hash, state_id)
            raise KeyError(state_id) from None
        lifetime = self.lifetimes.get(state_id)
        if lifetime is not None and stamp is not None and \
                self.clock() - float(stamp) > lifetime:
            if self.client.hdel(key, f"v:{state_id}", f"t:{state_id}"):
                self._deleted([(state_id, value)])  # one replica wins the HDEL, and calls
            raise KeyError(state_id)
        with self._lock:
            self._handed.setdefault(session_hash, {})[state_id] = (value, data)
        return value

    def _drop_tampered(self, session_hash: str, state_id: int) -> bool:
        log.error("State %s of session %s failed its signature check; dropped", state_id,
                  session_hash)
        self.client.hdel(self.key(session_hash), f"v:{state_id}", f"t:{state_id}")
        return False

    def has(self, session_hash: str, state_id: int) -> bool:
        data, stamp = self.client.hmget(self.key(session_hash), f"v:{state_id}",
                                        f"t:{state_id}")
        if data is None:
            return False
        try:
            self.signer.verify(as_bytes(data), self._context(session_hash, state_id))
        except TamperedValue:
            return self._drop_tampered(session_hash, state_id)
        lifetime = self.lifetimes.get(state_id)
        if lifetime is not None and stamp is not None and \
                self.clock() - float(stamp) > lifetime:
            try:
                self.read(session_hash, state_id)  # drops it, and runs its callback
            except KeyError:
                return False
        return True

    def write(self, session_hash: str, state_id: int, value: Any) -> None:
        data = self._dumps(session_hash, state_id, value)
        self._store(session_hash, state_id, data)
        with self._lock:
            self._handed.setdefault(session_hash, {})[state_id] = (value, data)

    def _store(self, session_hash: str, state_id: int, data: bytes) -> None:
        key = self.key(session_hash)
        with self.client.pipeline(transaction=True) as pipe:
            pipe.hset(key, mapping={f"v:{state_id}": data, f"t:{state_id}": repr(self.clock())})
            pipe.expire(key, int(self.idle_ttl))
            pipe.execute()

    def delete(self, session_hash: str, state_id: int) -> bool:
        key = self.key(session_hash)
        data = self.client.hget(key, f"v:{state_id}")
        with self._lock:
            self._handed.get(session_hash, {}).pop(state_id, None)
        if data is None or not self.client.hdel(key, f"v:{state_id}", f"t:{state_id}"):
            return False
        self._deleted(self._unpickled([(state_id, as_bytes(data))], session_hash))
        return True

    def commit(self, session_hash: str) -> None:
        """Write back the values handed out for the session that changed in place."""
        with self._lock:
            handed = dict(self._handed.get(session_hash, {}))
        for state_id, (value, data) in handed.items():
            try:
                again = self._dumps(session_hash, state_id, value)
            except StateNotShareable as exc:
                log.error("%s", exc)
                continue
            if again != data:
                self._store(session_hash, state_id, again)
                with self._lock:
                    self._handed.get(session_hash, {})[state_id] = (value, again)

    def _unpickled(self, items: list[tuple[int, bytes]],
                   session_hash: str) -> list[tuple[int, Any]]:
        values = []
        for state_id, data in items:
            try:
                values.append((state_id, self.signer.loads(
                    data, self._context(session_hash, state_id))))
            except Exception:  # a tampered or unloadable value: no callback for it
                log.warning("State %s of session %s could not be loaded for its delete "
                            "callback", state_id, session_hash)
        return values

    def _deleted(self, items: list[tuple[int, Any]]) -> None:
        self.local.deleted(items)

    # ---- sessions -------------------------------------------------------------------------
    def _wrap(self, session_hash: str, local: SessionValues) -> SharedValues:
        return SharedValues(self, session_hash, local)

    def state(self, session_hash: str) -> SharedValues:
        return self._wrap(session_hash, self.local.state(session_hash))

    def open(self, session_hash: str, *, owner: str | None, client: str) -> SharedValues:
        now = self.clock()
        with self._lock:
            seen = self._confirmed.get(session_hash)
        if seen is None or seen[0] != (owner or "") or now - seen[1] >= self._confirm_for \
                or self.local.peek(session_hash) is None:
            key = self.key(session_hash)
            with self.client.pipeline(transaction=True) as pipe:
                pipe.hsetnx(key, "owner", owner or "")
                pipe.hget(key, "owner")
                pipe.expire(key, int(self.idle_ttl))
                _, known, _ = pipe.execute()
            if known and known.decode() != (owner or ""):
                raise InvalidRequest("This session belongs to another client.", 403)
            with self._lock:
                self._confirmed[session_hash] = (owner or "", now)
                self._confirmed.move_to_end(session_hash)
                while len(self._confirmed) > CONFIRMED_CAPACITY:
                    self._confirmed.popitem(last=False)
        return self._wrap(session_hash, self.local.open(session_hash, owner=owner,
                                                        client=client))

    def peek(self, session_hash: str) -> SharedValues | None:
        """The session, if any replica admitted it (and it has not expired)."""
        local = self.local.peek(session_hash)
        if local is None:
            owner = self.client.hget(self.key(session_hash), "owner")
            if owner is None:
                return None
            local = self.local.adopt(session_hash, as_text(owner) or None)
            if local is None:
                return None
        return self._wrap(session_hash, local)

    def attach(self, session_hash: str) -> None:
        self.local.attach(session_hash)
        self.liveness.attach(session_hash)  # pushes the State hash's TTL back too

    def detach(self, session_hash: str, keep: float) -> bool:
        """True once, on the replica whose stream was the session's last anywhere; the
        session's hash then expires `keep` from now (liveness.DETACH)."""
        with self._lock:
            self._confirmed.pop(session_hash, None)
        self.local.detach(session_hash, keep)
        return self.liveness.detach(session_hash, keep)

    def renew_leases(self) -> list[str]:
        return self.liveness.renew()

    def hold(self, session_hash: str, held: bool) -> None:
        self.local.hold(session_hash, held)
        if held:
            return
        self.commit(session_hash)
        if not self.local.live(session_hash):
            with self._lock:
                self._handed.pop(session_hash, None)

    def close(self, session_hash: str, keep: float) -> None:
        with self._lock:
            self._confirmed.pop(session_hash, None)
        self.local.close(session_hash, keep)
        self.liveness.close(session_hash, keep)

    def forget(self, session_hash: str) -> None:
        self.local.forget(session_hash)
        with self._lock:
            self._handed.pop(session_hash, None)
            self._confirmed.pop(session_hash, None)
        key = self.key(session_hash)
        with self.client.pipeline(transaction=True) as pipe:
            pipe.hgetall(key)
            pipe.delete(key)
            fields, _ = pipe.execute()
        named = {as_bytes(f): as_bytes(v) for f, v in fields.items()}
        items = [(int(f[2:]), v) for f, v in named.items() if f.startswith(b"v:")]
        self._deleted(self._unpickled(items, session_hash))

    def sweep(self) -> int:
        return self.local.sweep()

    def live(self, session_hash: str) -> bool:
        """An event of the session runs here, or a page is attached to it on any replica."""
        return self.local.live(session_hash) or self.liveness.attached(session_hash)

    def attached(self, session_hash: str) -> bool:
        return self.local.attached(session_hash) or self.liveness.attached(session_hash)

    def __contains__(self, session_hash: object) -> bool:
        return session_hash in self.local

    def __len__(self) -> int:
        return len(self.local)
