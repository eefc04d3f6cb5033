"""Data components: JSON."""

from __future__ import annotations

import json
from typing import Any

from porch.components.base import Component, Conversion, EventListener


class JSON(Component):
    """Any JSON value, shown as a tree. FileData-shaped dicts here are data, never files."""

    block_type = "json"
    schema: dict[str, Any] = {}
    python_type = "Dict[Any, Any] | List[Any]"
    example = {"a": 1, "b": [2, 3]}

    change = EventListener("change")

    def __init__(self, value: Any = None, *, open: bool = False, height: int | None = None,
                 **common: Any) -> None:
        self.open = open
        self.height = height
        super().__init__(value, **common)

    def postprocess(self, value: Any, conversion: Conversion) -> Any:
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                return value
        # Round-trip so numpy scalars, tuples and the like arrive as plain JSON.
        return json.loads(json.dumps(value, default=str))

    def props(self, conversion: Conversion | None = None) -> dict[str, Any]:
        return {**super().props(conversion), "open": self.open, "height": self.height}
