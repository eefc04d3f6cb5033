"""Session state: time to live, delete callbacks, closing with a grace time, LRU capacity."""

from __future__ import annotations

from typing import Any

import pytest

import porch as gr
from porch.errors import ConfigError
from porch.queue.sessions import MemoryStateStore


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def store(**options: Any) -> tuple[MemoryStateStore, Clock, list[tuple[int, Any]]]:
    clock = Clock()
    deleted: list[tuple[int, Any]] = []
    return (MemoryStateStore(clock=clock, on_delete=lambda k, v: deleted.append((k, v)),
                             **options), clock, deleted)


def test_value_expires_after_its_time_to_live_since_last_set() -> None:
    states, clock, deleted = store(lifetimes={1: 10.0})
    values = states.state("s")
    values[1] = "a"
    values[2] = "kept"  # no lifetime: lives as long as the session
    clock.now += 8
    assert values[1] == "a"
    values[1] = "b"  # setting again restarts the clock
    clock.now += 8
    assert 1 in values
    clock.now += 3
    assert 1 not in values
    assert deleted == [(1, "b")]
    assert values[2] == "kept"


def test_sweep_expires_values_nobody_reads() -> None:
    states, clock, deleted = store(lifetimes={1: 5.0})
    states.state("a")[1] = "x"
    states.state("b")[1] = "y"
    clock.now += 6
    assert states.sweep() == 2
    assert sorted(deleted) == [(1, "x"), (1, "y")]
    assert states.sweep() == 0


def test_closed_session_is_dropped_after_grace_unless_it_comes_back() -> None:
    states, clock, deleted = store()
    states.state("gone")[3] = "bye"
    states.state("back")[3] = "hi"
    states.close("gone", keep=60)
    states.close("back", keep=60)
    clock.now += 30
    states.open("back", owner=None, client="c")  # used again within the grace time: kept
    clock.now += 40
    states.sweep()
    assert "gone" not in states and "back" in states
    assert deleted == [(3, "bye")]


def test_capacity_evicts_least_recently_used_with_callbacks() -> None:
    states, _, deleted = store(capacity=2)

    def use(name: str) -> Any:
        return states.open(name, owner=None, client="c")

    use("a")[1] = "A"
    use("b")[1] = "B"
    use("a")  # a is now the most recent
    use("c")
    assert "b" not in states and "a" in states and len(states) == 2
    assert deleted == [(1, "B")]


def test_a_failing_delete_callback_does_not_stop_the_others() -> None:
    seen: list[Any] = []

    def callback(key: int, value: Any) -> None:
        seen.append(value)
        raise RuntimeError("app bug")

    states = MemoryStateStore(on_delete=callback)
    values = states.state("s")
    values[1], values[2] = "x", "y"
    states.forget("s")
    assert sorted(seen) == ["x", "y"]


def test_state_options_are_checked() -> None:
    with pytest.raises(ConfigError, match="time_to_live"):
        gr.State(time_to_live=0)
    state = gr.State([], time_to_live=5, delete_callback=print)
    assert state.time_to_live == 5 and state.delete_callback is print
