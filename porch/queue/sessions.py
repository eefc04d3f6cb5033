"""Per-session State values, behind a small interface so a shared store can replace it."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, Protocol


class StateStore(Protocol):
    def state(self, session_hash: str) -> dict[int, Any]: ...

    def forget(self, session_hash: str) -> None: ...


class MemoryStateStore:
    """Session states in this process; the least recently used go past `capacity`."""

    def __init__(self, capacity: int = 10_000) -> None:
        self.capacity = capacity
        self._states: OrderedDict[str, dict[int, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def state(self, session_hash: str) -> dict[int, Any]:
        """The session's values by State id (created empty on first use)."""
        with self._lock:
            values = self._states.get(session_hash)
            if values is None:
                values = self._states[session_hash] = {}
                while len(self._states) > self.capacity:
                    self._states.popitem(last=False)
            else:
                self._states.move_to_end(session_hash)
            return values

    def forget(self, session_hash: str) -> None:
        with self._lock:
            self._states.pop(session_hash, None)

    def __len__(self) -> int:
        return len(self._states)
