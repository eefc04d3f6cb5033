"""The login brake's rules, on the in-memory brake with a hand-driven clock: reservations,
backoff that grows and is capped, resets, the per-address budget, bounded memory, and a
hypothesis state machine over any interleaving of attempts, outcomes and time."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from porch.server.brake import Attempt, MemoryLoginBrake, login_key


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def fail(brake: MemoryLoginBrake, user: str = "u", source: str = "a",
         address: str | None = "a") -> Attempt:
    attempt = brake.reserve_now(user, source, address)
    if attempt.granted:
        brake.settle_now(attempt, succeeded=False)
    return attempt


def test_backoff_grows_and_is_capped() -> None:
    clock = Clock()
    brake = MemoryLoginBrake(free_checks=3, first_delay=1, max_delay=60, clock=clock)
    waits: list[float] = []
    checks = 0
    while checks < 12:
        attempt = fail(brake)
        if attempt.granted:
            checks += 1
        else:
            assert attempt.refused == "user"
            waits.append(attempt.retry_after)
            clock.now += attempt.retry_after  # the guesser waits exactly as told
    # Three free checks, then a wait before each further one.
    assert waits == [1, 2, 4, 8, 16, 32, 60, 60, 60]
    assert brake.reserve_now("u", "other", None).granted  # other sources are not affected


def test_a_huge_failure_count_does_not_overflow() -> None:
    brake = MemoryLoginBrake(free_checks=1)
    assert brake.delay_after(10_000) == brake.max_delay


def test_parallel_reservations_stop_at_the_free_checks() -> None:
    brake = MemoryLoginBrake(free_checks=3)
    attempts = [brake.reserve_now("u", "a", "a") for _ in range(200)]
    assert sum(a.granted for a in attempts) == 3
    refused = [a for a in attempts if not a.granted]
    assert {a.refused for a in refused} == {"busy"} and all(a.retry_after > 0 for a in refused)


def test_reservations_are_atomic_across_threads() -> None:
    brake = MemoryLoginBrake(free_checks=3)
    start = threading.Barrier(16)
    granted: list[bool] = []

    def guess() -> None:
        start.wait(timeout=10)
        for _ in range(20):
            granted.append(asyncio.run(brake.reserve("u", "a", "a")).granted)

    threads = [threading.Thread(target=guess) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(granted) == 320 and sum(granted) == 3


def test_a_success_resets_the_pair_and_gives_the_address_its_check_back() -> None:
    clock = Clock()
    brake = MemoryLoginBrake(free_checks=2, address_budget=5, clock=clock)
    fail(brake)
    fail(brake)
    assert brake.reserve_now("u", "a", "a").refused == "user"
    clock.now += 1
    right = brake.reserve_now("u", "a", "a")
    brake.settle_now(right, succeeded=True)
    brake.settle_now(right, succeeded=False)  # a second settle is ignored
    assert fail(brake).granted and fail(brake).granted  # counting started over
    # Five checks spent, the success's given back: one left (and a tenth refilled).
    assert fail(brake, "v").granted
    assert brake.reserve_now("w", "a", "a").refused == "address"


def test_failures_are_forgotten_after_a_quiet_while() -> None:
    clock = Clock()
    brake = MemoryLoginBrake(free_checks=1, forget_after=900, clock=clock)
    fail(brake)
    clock.now += 1
    fail(brake)
    clock.now += 901
    assert fail(brake).granted
    assert brake.reserve_now("u", "a", "a").retry_after == 1  # the first step again


def test_the_address_budget_refills_with_time() -> None:
    clock = Clock()
    brake = MemoryLoginBrake(address_budget=3, address_refill=10, clock=clock)
    for name in "abc":
        assert fail(brake, name).granted
    refused = brake.reserve_now("d", "a", "a")
    assert refused.refused == "address" and refused.retry_after == 10
    clock.now += 5
    assert brake.reserve_now("d", "a", "a").retry_after == 5
    clock.now += 5
    assert fail(brake, "d").granted
    assert brake.reserve_now("e", "b", "b").granted  # another address has its own budget
    assert brake.reserve_now("d", "device:1", None).granted  # a proven device spends none


def test_user_names_are_folded_before_keying() -> None:
    assert login_key("Admin") == login_key(" ADMIN ") == login_key("ａｄｍｉｎ")
    assert login_key("admin") != login_key("admin2")
    assert len(login_key("x" * 100_000)) == 32


@given(st.lists(st.tuples(st.text(max_size=6), st.text(max_size=6)), max_size=300))
def test_memory_is_bounded(keys: list[tuple[str, str]]) -> None:
    brake = MemoryLoginBrake(max_pairs=50, max_addresses=20, address_budget=1_000_000)
    for user, address in keys:
        fail(brake, user, address, address)
    assert len(brake) <= 70


# ---- the state machine ------------------------------------------------------------------
# Few keys, so that runs pile attempts onto one key often.
USERS, SOURCES = ["ann", "bob"], ["127.0.0.1"]


@dataclass
class KeyModel:
    failures: int = 0
    last_failure: float = 0.0
    in_flight: set[int] = field(default_factory=set)


class BrakeMachine(RuleBasedStateMachine):
    """Drives the brake and checks, from the outside, what it may grant:

    - per (user, source): up to `free_checks` checks side by side; past them, a check only
      once every earlier one settled and the backoff of the last failure ran out. So no
      window holds more checks than the free ones plus one per backoff step;
    - a success resets the key: its next attempt is granted at once;
    - per address: in any window [t0, t1], granted checks <= budget + (t1 - t0) / refill +
      successes settled in it;
    - the brake never refuses an attempt that those rules allow (for attempts that spend no
      address budget, whose state the machine can tell exactly)."""

    @initialize(free=st.integers(1, 4), budget=st.integers(1, 6))
    def build(self, free: int, budget: int) -> None:
        self.clock = Clock()
        self.brake = MemoryLoginBrake(free_checks=free, first_delay=1, max_delay=8,
                                      forget_after=100, address_budget=budget,
                                      address_refill=2, clock=self.clock)
        self.keys: dict[tuple[str, str], KeyModel] = {}
        self.outstanding: list[Attempt] = []
        self.address_grants: list[float] = []
        self.address_successes: list[float] = []

    def allowed(self, model: KeyModel) -> bool:
        free, now = self.brake.free_checks, self.clock.now
        if model.failures >= free:
            backoff = min(2.0 ** (model.failures - free), 8.0)  # first_delay 1, max_delay 8
            return not model.in_flight and now >= model.last_failure + backoff
        return len(model.in_flight) + model.failures < free

    @rule(user=st.sampled_from(USERS), source=st.sampled_from(SOURCES),
          spend_address=st.booleans())
    def reserve(self, user: str, source: str, spend_address: bool) -> None:
        address = "127.0.0.1" if spend_address else None
        model = self.keys.setdefault((user, source), KeyModel())
        if not model.in_flight and model.failures and \
                self.clock.now - model.last_failure > self.brake.forget_after:
            model.failures = 0  # forgotten
        attempt = self.brake.reserve_now(user, source, address)
        if attempt.granted:
            assert self.allowed(model), (model, self.clock.now)
            model.in_flight.add(attempt.ticket)
            self.outstanding.append(attempt)
            if address is not None:
                self.address_grants.append(self.clock.now)
        else:
            assert attempt.retry_after > 0
            if address is None:
                assert not self.allowed(model), (model, self.clock.now, attempt)

    @precondition(lambda self: self.outstanding)
    @rule(index=st.integers(0, 50), succeeded=st.booleans())
    def settle(self, index: int, succeeded: bool) -> None:
        attempt = self.outstanding.pop(index % len(self.outstanding))
        model = self.keys[(attempt.user, attempt.source)]
        model.in_flight.discard(attempt.ticket)
        self.brake.settle_now(attempt, succeeded=succeeded)
        if succeeded:
            model.failures = 0
            if attempt.address is not None:
                self.address_successes.append(self.clock.now)
        else:
            model.failures += 1
            model.last_failure = self.clock.now

    @rule(step=st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.0, 8.0, 60.0, 101.0]))
    def advance(self, step: float) -> None:
        self.clock.now += step

    @invariant()
    def address_budget_holds(self) -> None:
        grants = self.address_grants
        for i, start in enumerate(grants):
            for j in range(i, len(grants)):
                end = grants[j]
                successes = sum(start <= t <= end for t in self.address_successes)
                bound = self.brake.address_budget + (end - start) / 2 + successes
                assert j - i + 1 <= bound, (grants, self.address_successes)


TestBrakeMachine = BrakeMachine.TestCase
TestBrakeMachine.settings = settings(max_examples=300, stateful_step_count=50, deadline=None)


@pytest.mark.parametrize("succeeded", [True, False])
def test_refused_attempts_settle_to_nothing(succeeded: bool) -> None:
    brake = MemoryLoginBrake(free_checks=1)
    fail(brake)
    refused = brake.reserve_now("u", "a", "a")
    brake.settle_now(refused, succeeded=succeeded)
    assert not brake.reserve_now("u", "a", "a").granted
