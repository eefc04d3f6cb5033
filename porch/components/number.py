"""Numeric components: Number and Slider."""

from __future__ import annotations

import math
import random
from typing import Any

from porch.components.base import Component, Conversion, EventListener
from porch.errors import ConfigError, Error


def to_number(value: Any, name: str) -> float:
    """A finite float from a wire value or a returned value, or a clear error."""
    if isinstance(value, bool):
        raise Error(f"{name}: expected a number, got {value!r}.")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise Error(f"{name}: {value!r} is not a number.") from None
    if not math.isfinite(number):
        raise Error(f"{name}: {value!r} is not a finite number.")
    return number


def check_range(number: float, minimum: float | None, maximum: float | None,
                name: str) -> None:
    if minimum is not None and number < minimum:
        raise Error(f"{name}: {number} is below the minimum {minimum}.")
    if maximum is not None and number > maximum:
        raise Error(f"{name}: {number} is above the maximum {maximum}.")


class Number(Component):
    """A number field. `precision=0` gives ints; None keeps floats."""

    unhonoured_keywords = {"placeholder": None}

    block_type = "number"
    schema = {"type": "number"}
    python_type = "float"
    example = 3

    change = EventListener("change")
    input = EventListener("input")
    submit = EventListener("submit")

    def __init__(
        self,
        value: float | None = None,
        *,
        precision: int | None = None,
        minimum: float | None = None,
        maximum: float | None = None,
        step: float = 1,
        **common: Any,
    ) -> None:
        self.precision = precision
        self.minimum = minimum
        self.maximum = maximum
        self.step = step
        super().__init__(value, **common)

    def _round(self, original: Any, number: float) -> float | int:
        if self.precision is None:
            # As Gradio: ints stay ints (2 + 3 gives 5, not 5.0), everything else is a float.
            return original if isinstance(original, int) and not isinstance(original, bool) \
                else number
        if self.precision == 0:
            return int(round(number))
        return round(number, self.precision)

    def preprocess(self, payload: Any, conversion: Conversion) -> float | int | None:
        if payload is None or payload == "":
            return None
        number = to_number(payload, self.label or "Number")
        check_range(number, self.minimum, self.maximum, self.label or "Number")
        return self._round(payload, number)

    def postprocess(self, value: Any, conversion: Conversion) -> float | int | None:
        if value is None:
            return None
        return self._round(value, to_number(value, self.label or "Number"))

    def props(self, conversion: Conversion | None = None) -> dict[str, Any]:
        return {
            **super().props(conversion),
            "precision": self.precision,
            "minimum": self.minimum,
            "maximum": self.maximum,
            "step": self.step,
        }


class Slider(Component):
    """A number picked on a track between `minimum` and `maximum`."""

    block_type = "slider"
    python_type = "float"

    change = EventListener("change")
    input = EventListener("input")
    release = EventListener("release")

    def __init__(
        self,
        minimum: float = 0,
        maximum: float = 100,
        value: float | None = None,
        *,
        step: float | None = None,
        precision: int | None = None,
        randomize: bool = False,
        **common: Any,
    ) -> None:
        if minimum > maximum:
            raise ConfigError(f"Slider minimum ({minimum}) must not be above its maximum "
                              f"({maximum}).")
        if step is not None and step <= 0:
            raise ConfigError(f"Slider step must be positive, got {step}.")
        self.minimum = minimum
        self.maximum = maximum
        self.step = step if step is not None else _default_step(minimum, maximum)
        self.precision = precision
        self.randomize = randomize
        super().__init__(value, **common)
        self.schema = {"type": "number",
                       "description": f"numeric value between {minimum} and {maximum}"}
        self.example = minimum

    def _round(self, original: Any, number: float) -> float | int:
        if self.precision is None:
            # Ints stay ints and floats floats, as the function or the client gave them.
            return original if isinstance(original, int) else number
        if self.precision == 0:
            return int(round(number))
        return round(number, self.precision)

    def preprocess(self, payload: Any, conversion: Conversion) -> float | int:
        if payload is None:
            return self.minimum
        name = self.label or "Slider"
        number = to_number(payload, name)
        check_range(number, self.minimum, self.maximum, name)
        return self._round(payload, number)

    def postprocess(self, value: Any, conversion: Conversion) -> float | int:
        if value is None:
            return self.minimum
        return self._round(value, to_number(value, self.label or "Slider"))

    def initial_payload(self, conversion: Conversion | None = None) -> float | int:
        if self.randomize and self.value is None:
            steps = int((self.maximum - self.minimum) / self.step)
            picked = min(self.minimum + random.randint(0, max(steps, 0)) * self.step,
                         self.maximum)
            return self._round(picked, float(picked))
        return self.postprocess(self.value, conversion or Conversion())

    def props(self, conversion: Conversion | None = None) -> dict[str, Any]:
        return {
            **super().props(conversion),
            "minimum": self.minimum,
            "maximum": self.maximum,
            "step": self.step,
            "precision": self.precision,
        }


def _default_step(minimum: float, maximum: float) -> float:
    """About a hundredth of the range, as a power of ten (0..100 -> 1, 0..1 -> 0.01)."""
    span = maximum - minimum
    if span <= 0:
        return 1
    step = 10.0 ** (math.floor(math.log10(span)) - 2)
    return int(step) if step >= 1 else step
