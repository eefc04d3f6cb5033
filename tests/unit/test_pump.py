"""porch.queue.pump: how far a generator may run ahead of its consumer, and where it ends."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator
from typing import Any

import anyio
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from porch.queue.pump import pump


class Recorder:
    def __init__(self) -> None:
        self.steps = 0
        self.threads: set[int] = set()
        self.closed_in: int | None = None

    def gen(self, n: int) -> Iterator[int]:
        try:
            for i in range(n):
                self.steps += 1
                self.threads.add(threading.get_ident())
                yield i
        finally:
            self.closed_in = threading.get_ident()


async def take(n_items: int, gen_len: int, ahead: int, rec: Recorder,
               pause: float = 0.0) -> list[tuple[int, Any]]:
    got: list[tuple[int, Any]] = []
    results = pump(rec.gen(gen_len), lambda v: v * 10, anyio.CapacityLimiter(4), ahead=ahead)
    async with contextlib.aclosing(results):
        async for item in results:
            got.append(item)
            await asyncio.sleep(pause)
            # The worker is at most `ahead` steps past what the consumer has taken.
            assert rec.steps <= len(got) + ahead
            if len(got) == n_items:
                break
    return got


@settings(max_examples=25, deadline=None)
@given(gen_len=st.integers(0, 30), wanted=st.integers(1, 30), ahead=st.integers(1, 5))
def test_values_arrive_in_order_converted_and_bounded_ahead(gen_len: int, wanted: int,
                                                           ahead: int) -> None:
    rec = Recorder()
    got = asyncio.run(take(wanted, gen_len, ahead, rec))
    count = min(wanted, gen_len)
    assert got == [(i, i * 10) for i in range(count)]


def test_one_ahead_is_one_step_at_a_time() -> None:
    rec = Recorder()
    asyncio.run(take(3, 100, 1, rec, pause=0.05))
    assert rec.steps <= 4  # three taken, at most the fourth begun


def test_the_generator_runs_and_closes_in_one_worker_thread() -> None:
    rec = Recorder()

    async def main() -> None:
        await take(2, 50, 2, rec)
        for _ in range(100):  # the worker closes the generator at its next step
            if rec.closed_in is not None:
                return
            await asyncio.sleep(0.01)

    asyncio.run(main())
    assert len(rec.threads) == 1
    assert rec.closed_in in rec.threads
    assert threading.get_ident() not in rec.threads


def test_an_error_in_the_generator_or_the_conversion_reaches_the_consumer() -> None:
    def failing() -> Iterator[int]:
        yield 1
        raise ValueError("inside the function")

    async def consume(gen: Iterator[int], convert: Any) -> list[Any]:
        got = []
        async for item in pump(gen, convert, anyio.CapacityLimiter(1)):  # type: ignore[arg-type]
            got.append(item)
        return got

    with pytest.raises(ValueError, match="inside the function"):
        asyncio.run(consume(failing(), lambda v: v))

    def bad_convert(value: int) -> int:
        raise TypeError("cannot show this")

    with pytest.raises(TypeError, match="cannot show this"):
        asyncio.run(consume(iter_gen(), bad_convert))


def iter_gen() -> Iterator[int]:
    yield from range(3)
