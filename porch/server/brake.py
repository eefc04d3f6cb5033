"""The login brake: how many password checks a guesser gets, and when.

An attempt is *reserved* before its credentials are checked and *settled* with the outcome
after, and the reservation is where the budget is spent: N parallel wrong logins cannot all be
checked, however slow the check (a database, a thread, an `async` function).

Two budgets, both spent atomically in `reserve`:

- Per (user name, source), where the source is the client address (or, for a browser that
  logged in as that user before, its device token: docs/sharing.md). `free_checks` checks,
  then every failure blocks the pair for `first_delay * 2**k` seconds, capped at `max_delay`,
  with one check at a time in between. A success resets the pair; so does `forget_after`
  seconds without a failure. Keying by user name means an attacker hammering "admin" from
  127.0.0.1 (where every share-link user comes from) slows down only "admin" from there.
- Per address, over all user names: a bucket of `address_budget` checks that refills one
  check per `address_refill` seconds. A success gives its check back. It bounds spraying one
  password over many names; one hammered name, held to one check per backoff step, never
  empties it, so the other users of that address still get in.

`LoginBrake` is the seam (SCALE-OUT.md): `MemoryLoginBrake` is the one-process version; a
shared one (Redis, one Lua script per call) keeps the same two calls and the same rules.
"""

from __future__ import annotations

import hashlib
import itertools
import threading
import time
import unicodedata
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, Protocol

Refusal = Literal["user", "address", "busy"]


def login_key(username: str) -> str:
    """What the brake keeps a user name as: spellings an auth function may treat as one name
    ("Admin", "ADMIN", full-width letters) share one budget, and a digest keeps the table
    small whatever was typed (and holds no names)."""
    folded = unicodedata.normalize("NFKC", username.strip()).casefold()
    return hashlib.blake2b(folded.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


@dataclass(frozen=True)
class Attempt:
    """A reservation: granted (check the credentials, then `settle` it exactly once) or
    refused, with the seconds to wait before trying again."""

    user: str
    source: str
    address: str | None
    ticket: int = 0
    refused: Refusal | None = None
    retry_after: float = 0.0

    @property
    def granted(self) -> bool:
        return self.refused is None


class LoginBrake(Protocol):
    """What the login route needs from a brake.

    `user` is the normalised user name (`login_key`), `source` what the per-user budget is
    kept by (an address, or `device:<id>`), `address` the address whose shared budget the
    attempt spends (None: none, for a browser that proved an earlier login). A shared
    implementation must make `reserve` one atomic step and give a reservation a lease, so
    that one whose holder died is settled as a failure."""

    async def reserve(self, user: str, source: str, address: str | None) -> Attempt: ...

    async def settle(self, attempt: Attempt, *, succeeded: bool) -> None: ...


@dataclass
class _Pair:
    failures: int = 0
    last_failure: float = 0.0
    blocked_until: float = 0.0
    pending: set[int] = field(default_factory=set)


@dataclass
class _Bucket:
    checks: float
    updated: float


class MemoryLoginBrake:
    """The brake in this process's memory; a lock makes `reserve` atomic across threads as
    well as across the event loop's tasks. Both tables are bounded (least recently used
    entries go first), so a flood of names or addresses cannot grow memory."""

    def __init__(self, *, free_checks: int = 3, first_delay: float = 1.0,
                 max_delay: float = 60.0, forget_after: float = 900.0,
                 address_budget: int = 30, address_refill: float = 10.0,
                 max_pairs: int = 16_384, max_addresses: int = 4096,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if free_checks < 1 or address_budget < 1:
            raise ValueError("free_checks and address_budget must be at least 1")
        self.free_checks = free_checks
        self.first_delay = first_delay
        self.max_delay = max_delay
        self.forget_after = forget_after
        self.address_budget = address_budget
        self.address_refill = address_refill
        self.max_pairs = max_pairs
        self.max_addresses = max_addresses
        self._clock = clock
        self._lock = threading.Lock()
        self._tickets = itertools.count(1)
        self._pairs: OrderedDict[tuple[str, str], _Pair] = OrderedDict()
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    def delay_after(self, failures: int) -> float:
        """Seconds a pair is blocked after its `failures`-th failure in a row."""
        if failures < self.free_checks:
            return 0.0
        steps = min(failures - self.free_checks, 64)  # 2**64 s is past any cap
        return float(min(self.first_delay * 2.0 ** steps, self.max_delay))

    async def reserve(self, user: str, source: str, address: str | None) -> Attempt:
        return self.reserve_now(user, source, address)

    async def settle(self, attempt: Attempt, *, succeeded: bool) -> None:
        self.settle_now(attempt, succeeded=succeeded)

    def reserve_now(self, user: str, source: str, address: str | None) -> Attempt:
        with self._lock:
            now = self._clock()
            key = (user, source)
            pair = self._pairs.get(key)
            if pair is not None and not pair.pending and pair.failures and \
                    now - pair.last_failure > self.forget_after:
                pair = None
                del self._pairs[key]
            if pair is not None:
                if now < pair.blocked_until:
                    return Attempt(user, source, address, refused="user",
                                   retry_after=pair.blocked_until - now)
                # Free checks may run side by side; past them, one at a time, so that each
                # failure's backoff is in force before the next check starts.
                if len(pair.pending) >= max(self.free_checks - pair.failures, 1):
                    return Attempt(user, source, address, refused="busy",
                                   retry_after=self.first_delay)
            bucket = self._refilled(address, now) if address is not None else None
            if bucket is not None and bucket.checks < 1:
                return Attempt(user, source, address, refused="address",
                               retry_after=(1 - bucket.checks) * self.address_refill)
            if bucket is not None:
                bucket.checks -= 1
            if pair is None:
                pair = self._pairs[key] = _Pair()
                while len(self._pairs) > self.max_pairs:
                    self._pairs.popitem(last=False)
            self._pairs.move_to_end(key)
            ticket = next(self._tickets)
            pair.pending.add(ticket)
            return Attempt(user, source, address, ticket=ticket)

    def settle_now(self, attempt: Attempt, *, succeeded: bool) -> None:
        if not attempt.granted:
            return
        with self._lock:
            now = self._clock()
            pair = self._pairs.get((attempt.user, attempt.source))
            if pair is None or attempt.ticket not in pair.pending:
                return  # settled already, or its pair was evicted
            pair.pending.discard(attempt.ticket)
            if succeeded:
                pair.failures, pair.blocked_until = 0, 0.0
                if attempt.address is not None:
                    bucket = self._refilled(attempt.address, now)
                    bucket.checks = min(bucket.checks + 1, float(self.address_budget))
                if not pair.pending:
                    del self._pairs[(attempt.user, attempt.source)]
                return
            pair.failures += 1
            pair.last_failure = now
            delay = self.delay_after(pair.failures)
            if delay:
                pair.blocked_until = max(pair.blocked_until, now + delay)

    def _refilled(self, address: str, now: float) -> _Bucket:
        bucket = self._buckets.get(address)
        if bucket is None:
            bucket = self._buckets[address] = _Bucket(float(self.address_budget), now)
            while len(self._buckets) > self.max_addresses:
                self._buckets.popitem(last=False)
        else:
            gained = max(0.0, now - bucket.updated) / self.address_refill
            bucket.checks = min(float(self.address_budget), bucket.checks + gained)
            bucket.updated = now
            self._buckets.move_to_end(address)
        return bucket

    def __len__(self) -> int:
        return len(self._pairs) + len(self._buckets)
