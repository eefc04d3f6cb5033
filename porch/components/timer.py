"""Timer: an invisible component that ticks every `value` seconds while the page is open."""

from __future__ import annotations

import math
from typing import Any

from porch.components.base import Component, Conversion, EventListener
from porch.errors import ConfigError


class Timer(Component):
    """Fires `tick` every `value` seconds in each open page, while `active`.

        timer = porch.Timer(1.0)
        timer.tick(read_sensor, None, reading)

    Its value (the interval) can be an input. The browser does the ticking: a page that is
    closed ticks no more, and each page ticks on its own session.
    """

    block_type = "timer"
    schema = {"type": "number"}
    python_type = "float"
    example = 1

    tick = EventListener("tick")
    change = EventListener("change")

    def __init__(self, value: float = 1.0, *, active: bool = True, render: bool = True,
                 **_ignored: Any) -> None:
        _check_interval(value)
        self.active = active
        super().__init__(value, render=render)

    def postprocess(self, value: Any, conversion: Conversion) -> float | None:
        if value is None:
            return None
        _check_interval(value)
        return float(value)

    def props(self, conversion: Conversion | None = None) -> dict[str, Any]:
        return {**super().props(conversion), "active": self.active, "visible": False}


def _check_interval(value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or \
            not math.isfinite(value) or value <= 0:
        raise ConfigError(f"Timer interval must be a positive number of seconds, got {value!r}.")
