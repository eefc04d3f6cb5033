"""State: a value kept for each visitor, never shown: on the server (State) or in their
browser (BrowserState)."""

from __future__ import annotations

import copy
import json
import secrets
from collections.abc import Callable
from typing import Any

from porch.components.base import Component, Conversion, EventListener
from porch.errors import ConfigError, Error
from porch.unhonoured import unhonoured


class State(Component):
    """A per-session value. Clients send null in its slot; the server keeps the real value."""

    block_type = "state"
    skip_api = True
    callable_value_loads = False  # a function here makes each session's initial value

    change = EventListener("change")

    def __init__(self, value: Any = None, *, render: bool = True,
                 time_to_live: float | None = None,
                 delete_callback: Callable[[Any], None] | None = None,
                 local: bool = False,
                 **_ignored: Any) -> None:
        """`time_to_live`: seconds a session's value is kept after it was last set (None:
        as long as the session). `delete_callback(value)` runs when a session's value goes
        (expired, session closed or evicted), e.g. to free what it holds. `local=True`
        (porch only): with a cluster backend, the value stays in the memory of the replica
        that set it instead of being pickled into the shared store (docs/cluster.md); for
        values that do not pickle, such as open connections or models."""
        if time_to_live is not None and not time_to_live > 0:
            raise ConfigError(f"State time_to_live must be positive seconds, got {time_to_live!r}.")
        self.local = bool(local)
        self.time_to_live = time_to_live
        self.delete_callback = delete_callback
        super().__init__(value, render=render)

    def fresh_value(self) -> Any:
        """The starting value of a new session (a copy, so sessions never share it)."""
        return copy.deepcopy(self.value() if callable(self.value) else self.value)

    def props(self, conversion: Conversion | None = None) -> dict[str, Any]:
        # The value stays on the server: a State may hold anything, including secrets.
        return {"visible": False, "name": "state", "value": None}


class BrowserState(Component):
    """A value kept in the visitor's browser (localStorage, under `storage_key`), so it
    survives reloads. The page sends it with every event that reads it, and stores what
    events return into it.

    It lives on the visitor's machine: they can read and change it, so it must never hold a
    secret or be trusted. Gradio's `secret=` (encryption at rest in the browser) is accepted
    and warned about (UnhonouredOptionWarning): porch does not encrypt the stored value.
    Without a `storage_key` a random one is made at start, so values are kept
    only until the app restarts; pass a fixed key to keep them longer.
    """

    block_type = "browserstate"
    schema: dict[str, Any] = {"type": {}, "description": "any json-serializable value"}
    python_type = "str | float | bool | list | dict"
    example = "test"

    change = EventListener("change")

    def __init__(
        self,
        default_value: Any = None,
        *,
        storage_key: str | None = None,
        secret: str | None = None,
        render: bool = True,
    ) -> None:
        unhonoured("BrowserState", locals(), {"secret": None})
        self.default_value = default_value
        self.storage_key = storage_key or f"porch-{secrets.token_urlsafe(12)}"
        super().__init__(default_value, render=render, visible=False)

    def postprocess(self, value: Any, conversion: Conversion) -> Any:
        try:
            return json.loads(json.dumps(value))
        except (TypeError, ValueError):
            raise Error(f"BrowserState holds JSON values; got {type(value).__name__}.") from None

    def props(self, conversion: Conversion | None = None) -> dict[str, Any]:
        return {**super().props(conversion), "default_value": self.initial_payload(conversion),
                "storage_key": self.storage_key}
