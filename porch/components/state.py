"""State: a value kept on the server for each session, never shown."""

from __future__ import annotations

import copy
from typing import Any

from porch.components.base import Component, Conversion, EventListener


class State(Component):
    """A per-session value. Clients send null in its slot; the server keeps the real value."""

    block_type = "state"
    skip_api = True

    change = EventListener("change")

    def __init__(self, value: Any = None, *, render: bool = True, **_ignored: Any) -> None:
        super().__init__(value, render=render)

    def fresh_value(self) -> Any:
        """The starting value of a new session (a copy, so sessions never share it)."""
        return copy.deepcopy(self.value() if callable(self.value) else self.value)

    def props(self, conversion: Conversion | None = None) -> dict[str, Any]:
        # The value stays on the server: a State may hold anything, including secrets.
        return {"visible": False, "name": "state", "value": None}
