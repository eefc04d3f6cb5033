"""A component as a test sees it in one session: its props as the page holds them, and what
a user can do to it (set its value, fire its events, upload files)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Protocol

from porch.testing.page import Page, as_the_page_holds
from porch.testing.results import Result
from porch.testing.streams import Stream


class Tab(Protocol):
    """What a handle needs of its session (apptest.Session)."""

    @property
    def page(self) -> Page: ...

    @property
    def state(self) -> Mapping[Any, Any]: ...

    def entry(self, block_id: int) -> dict[str, Any] | None: ...

    def edit(self, target: Any, value: Any) -> Result: ...

    def trigger(self, target: Any, event: str, data: Any = None) -> Result: ...

    def stream(self, target: Any, event: str = "click", data: Any = None) -> Stream: ...

    def upload(self, target: Any, paths: list[Path]) -> Result: ...

    def feed(self, target: Any, chunks: list[Any]) -> Result: ...


class Handle:
    """Component `id` in `session`. Props come from the page's view, so they show what every
    output and `gr.update()` did to it so far (`.value`, `.visible`, `.props["label"]`)."""

    def __init__(self, session: Tab, block_id: int) -> None:
        self.session = session
        self.id = block_id

    def __repr__(self) -> str:
        label = self.props.get("label") or self.props.get("value")
        return f"<{self.type} #{self.id}{f' {label!r}' if isinstance(label, str) else ''}>"

    @property
    def _entry(self) -> dict[str, Any]:
        entry = self.session.entry(self.id)
        if entry is None:
            raise LookupError(f"component {self.id} is no longer on the page (a @render "
                              "replaced it?)")
        return entry

    @property
    def type(self) -> str:
        return str(self._entry["type"])

    @property
    def props(self) -> dict[str, Any]:
        """A copy of the props the page holds for the component now."""
        props: dict[str, Any] = self._entry["props"]
        return props

    @property
    def value(self) -> Any:
        """The value the page would send (a State's: its value on the server)."""
        entry = self._entry
        if entry["type"] == "state":
            return self.session.state[self.id]
        return as_the_page_holds(entry["type"], entry["props"].get("value"))

    @property
    def visible(self) -> bool:
        return self._entry["props"].get("visible") is not False

    @property
    def interactive(self) -> bool:
        """Whether a user may edit it, as the page decides: `interactive=` when set, else a
        button is, and so is anything an event reads or no event writes."""
        entry = self._entry
        found = entry["props"].get("interactive")
        if found is not None:
            return bool(found)
        if entry["type"].endswith("button"):
            return True
        deps = self.session.page.dependencies
        return (any(self.id in (d.get("inputs") or []) for d in deps)
                or not any(self.id in (d.get("outputs") or []) for d in deps))

    @property
    def label(self) -> str | None:
        found = self._entry["props"].get("label")
        return found if isinstance(found, str) else None

    def set(self, value: Any) -> Result:
        """Set the value as a user would; runs the `input` and `change` events it fires."""
        return self.session.edit(self, value)

    def trigger(self, event: str, data: Any = None) -> Result:
        """Fire `event` ("click", "submit", "select"...; `data` is its event data, e.g. a
        `{"index": 1, "value": "b", "selected": True}` select) and run what it sets off."""
        return self.session.trigger(self, event, data)

    def click(self) -> Result:
        return self.trigger("click")

    def submit(self) -> Result:
        return self.trigger("submit")

    def stream(self, event: str = "click", data: Any = None) -> Stream:
        """Fire `event` and read each streamed output as it comes (`for step in ...`)."""
        return self.session.stream(self, event, data)

    def upload(self, *paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]]
               ) -> Result:
        """Upload files through `/upload` (and so the app's limits) and make them the value,
        as the page's upload control does; its `upload` and `change` events run."""
        flat: list[Path] = []
        for item in paths:
            if isinstance(item, (str, os.PathLike)):
                flat.append(Path(item))
            else:
                flat.extend(Path(p) for p in item)
        return self.session.upload(self, flat)

    def feed(self, chunks: Iterable[Any]) -> Result:
        """Stream `chunks` into the component's `.stream()` events, one at a time, as a
        webcam or microphone would (a path is uploaded as that chunk's file)."""
        return self.session.feed(self, list(chunks))
