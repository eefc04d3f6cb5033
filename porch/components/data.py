"""Data components: JSON and Label (top classes with confidences); HighlightedText is in
porch/components/highlighted.py."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from porch.components.base import Component, Conversion, EventListener
from porch.errors import Error

_LABEL_VALUE = {"anyOf": [{"type": "string"}, {"type": "integer"}, {"type": "number"},
                          {"type": "null"}], "default": None, "title": "Label"}
LABEL_SCHEMA: dict[str, Any] = {
    "$defs": {"LabelConfidence": {
        "properties": {
            "label": _LABEL_VALUE,
            "confidence": {"anyOf": [{"type": "number"}, {"type": "null"}], "default": None,
                           "title": "Confidence"},
        },
        "title": "LabelConfidence", "type": "object"}},
    "properties": {
        "label": _LABEL_VALUE,
        "confidences": {"anyOf": [{"items": {"$ref": "#/$defs/LabelConfidence"},
                                   "type": "array"}, {"type": "null"}],
                        "default": None, "title": "Confidences"},
    },
    "title": "LabelData", "type": "object",
}


class JSON(Component):
    """Any JSON value, shown as a tree. FileData-shaped dicts here are data, never files."""

    block_type = "json"
    schema: dict[str, Any] = {"type": {}, "description": "any valid json"}
    python_type = "str | float | bool | list | dict"
    example = {"foo": "bar"}

    change = EventListener("change")

    def __init__(
        self,
        value: Any = None,
        *,
        open: bool = False,
        show_indices: bool = False,
        height: int | str | None = None,
        max_height: int | str | None = 500,
        min_height: int | str | None = None,
        buttons: Any = None,
        **common: Any,
    ) -> None:
        self.open = open
        self.show_indices = show_indices
        self.height = height
        self.max_height = max_height
        self.min_height = min_height
        super().__init__(value, **common)

    def postprocess(self, value: Any, conversion: Conversion) -> Any:
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError as exc:
                raise Error(f"{self.label or 'JSON'}: the returned string is not valid JSON "
                            f"({exc}).") from None
        # Round-trip so numpy scalars, tuples and the like arrive as plain JSON.
        return json.loads(json.dumps(value, default=str))

    def props(self, conversion: Conversion | None = None) -> dict[str, Any]:
        return {**super().props(conversion), "open": self.open,
                "show_indices": self.show_indices, "height": self.height,
                "max_height": self.max_height, "min_height": self.min_height}


def _confidence(value: Any, name: str, key: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise Error(f"{name}: the confidence of {key!r} must be a number, got "
                    f"{value!r}.") from None
    if math.isnan(number):
        raise Error(f"{name}: the confidence of {key!r} is NaN.")
    return number


class Label(Component):
    """A class label, with the top classes' confidences drawn as bars.

    Return a label (str, int or float) or a dict of confidences (``{"cat": 0.9, ...}``)."""

    block_type = "label"
    schema = LABEL_SCHEMA
    python_type = ("dict(label: str | int | float | None, confidences: list[dict(label: str | "
                   "int | float | None, confidence: float | None)] | None)")
    example = {"label": "Cat", "confidences": [{"label": "cat", "confidence": 0.9},
                                               {"label": "dog", "confidence": 0.1}]}

    change = EventListener("change")
    select = EventListener("select")

    def __init__(
        self,
        value: Any = None,
        *,
        num_top_classes: int | None = None,
        color: str | None = None,
        show_heading: bool = True,
        buttons: Any = None,
        **common: Any,
    ) -> None:
        self.num_top_classes = num_top_classes
        self.color = color
        self.show_heading = show_heading
        super().__init__(value, **common)

    def postprocess(self, value: Any, conversion: Conversion) -> dict[str, Any] | None:
        name = self.label or "Label"
        if value is None:
            return None
        if isinstance(value, bool):
            return {"label": str(value), "confidences": None}
        if isinstance(value, (str, int, float)):
            return {"label": str(value), "confidences": None}
        if not isinstance(value, Mapping):
            raise Error(f"{name} shows a label (str, int or float) or a dict of "
                        f"confidences such as {{'cat': 0.9, 'dog': 0.1}}, not "
                        f"{type(value).__name__}.")
        if "confidences" in value and set(value) <= {"label", "confidences"}:
            # Already in the wire shape (e.g. a value read from this component).
            pairs = {c.get("label"): c.get("confidence")
                     for c in value.get("confidences") or [] if isinstance(c, Mapping)}
            if not pairs:
                label = value.get("label")
                return {"label": None if label is None else str(label), "confidences": None}
            value = pairs
        ranked = sorted(((key, _confidence(conf, name, key)) for key, conf in value.items()),
                        key=lambda item: item[1], reverse=True)
        if self.num_top_classes is not None:
            ranked = ranked[: max(self.num_top_classes, 0)]
        top = ranked[0][0] if ranked else None
        return {
            "label": None if top is None else str(top),
            "confidences": [{"label": str(key), "confidence": conf} for key, conf in ranked],
        }

    def preprocess(self, payload: Any, conversion: Conversion) -> Any:
        if payload is None:
            return None
        if not isinstance(payload, Mapping):
            raise Error(f"{self.label or 'Label'}: expected {{'label': ..., 'confidences': "
                        f"[...]}}, got {payload!r}.")
        confidences = payload.get("confidences")
        if confidences:
            return {c.get("label"): c.get("confidence") for c in confidences
                    if isinstance(c, Mapping)}
        return payload.get("label")

    def props(self, conversion: Conversion | None = None) -> dict[str, Any]:
        return {**super().props(conversion), "num_top_classes": self.num_top_classes,
                "color": self.color, "show_heading": self.show_heading}
