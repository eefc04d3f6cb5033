"""Numeric components: Number."""

from __future__ import annotations

from typing import Any

from porch.components.base import Component, Conversion, EventListener
from porch.errors import Error


class Number(Component):
    """A number field. `precision=0` gives ints; None keeps floats."""

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

    def _round(self, number: float) -> float | int:
        if self.precision is None:
            return float(number)
        if self.precision == 0:
            return int(round(number))
        return round(float(number), self.precision)

    def preprocess(self, payload: Any, conversion: Conversion) -> float | int | None:
        if payload is None or payload == "":
            return None
        try:
            number = float(payload)
        except (TypeError, ValueError):
            raise Error(f"{self.label or 'Number'}: {payload!r} is not a number.") from None
        if self.minimum is not None and number < self.minimum:
            raise Error(f"{self.label or 'Number'}: {number} is below the minimum {self.minimum}.")
        if self.maximum is not None and number > self.maximum:
            raise Error(f"{self.label or 'Number'}: {number} is above the maximum {self.maximum}.")
        return self._round(number)

    def postprocess(self, value: Any, conversion: Conversion) -> float | int | None:
        if value is None:
            return None
        return self._round(float(value))

    def props(self, conversion: Conversion | None = None) -> dict[str, Any]:
        return {
            **super().props(conversion),
            "precision": self.precision,
            "minimum": self.minimum,
            "maximum": self.maximum,
            "step": self.step,
        }
