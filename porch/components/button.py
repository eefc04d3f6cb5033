"""Buttons: Button and ClearButton."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from porch.components.base import Component, Conversion, EventListener, current_registry
from porch.components.files import file_payload, is_url
from porch.components.state import State
from porch.errors import ConfigError

VARIANTS = ("primary", "secondary", "stop", "huggingface")
SIZES = ("sm", "md", "lg")
LINK_TARGETS = ("_self", "_blank", "_parent", "_top")


class Button(Component):
    """A button; its value is its text. With `link`, a click opens that URL."""

    block_type = "button"
    skip_api = True

    click = EventListener("click")

    def __init__(
        self,
        value: str = "Run",
        *,
        variant: str = "secondary",
        size: str = "lg",
        icon: str | os.PathLike[str] | None = None,
        link: str | None = None,
        link_target: str = "_self",
        min_width: int | None = None,
        interactive: bool | None = True,
        **common: Any,
    ) -> None:
        if variant not in VARIANTS:
            raise ConfigError(f"Button variant must be one of {', '.join(VARIANTS)}, "
                              f"got {variant!r}.")
        if size not in SIZES:
            raise ConfigError(f"Button size must be one of {', '.join(SIZES)}, got {size!r}.")
        if link_target not in LINK_TARGETS:
            raise ConfigError(f"link_target must be one of {', '.join(LINK_TARGETS)}, "
                              f"got {link_target!r}.")
        self.variant = variant
        self.size = size
        self.icon = icon
        self.link = link
        self.link_target = link_target
        super().__init__(value, min_width=min_width, interactive=interactive, **common)

    def _icon(self, conversion: Conversion | None) -> Any:
        if self.icon is None:
            return None
        text = os.fspath(self.icon)
        if is_url(text):
            return {"path": text, "url": text, "orig_name": None, "size": None,
                    "mime_type": None, "is_stream": False, "meta": {"_type": "gradio.FileData"}}
        # A local icon is served like any output file: only through the gate.
        if conversion is None or conversion.policy is None:
            return None
        return file_payload(text, conversion)

    def props(self, conversion: Conversion | None = None) -> dict[str, Any]:
        return {**super().props(conversion), "variant": self.variant, "size": self.size,
                "icon": self._icon(conversion), "link": self.link,
                "link_target": self.link_target}


class ClearButton(Button):
    """A button that clears `components` in the browser (State values go back to their
    starting values on the server)."""

    def __init__(
        self,
        components: Component | Sequence[Component] | None = None,
        value: str = "Clear",
        *,
        variant: str = "secondary",
        api_name: str | None = None,
        api_visibility: str = "undocumented",
        **options: Any,
    ) -> None:
        super().__init__(value, variant=variant, **options)
        self.components: list[Component] = []
        self._clear: Any = None
        self._reset: Any = None
        if components is not None:
            self.add(components)

    def add(self, components: Component | Sequence[Component]) -> ClearButton:
        """Also clear `components` when clicked."""
        items = [components] if isinstance(components, Component) else list(components)
        for item in items:
            if not isinstance(item, Component):
                raise ConfigError(f"ClearButton clears components, got {item!r}.")
        if current_registry.get() is None:
            raise ConfigError("ClearButton(components=...) and .add() must be used inside a "
                              "`with porch.Blocks():` block.")
        fresh = [c for c in items if c not in self.components]
        self.components.extend(fresh)
        shown = [c for c in fresh if not isinstance(c, State)]
        states = [c for c in self.components if isinstance(c, State)]
        if shown:
            if self._clear is None:
                # Clearing is the page's job: no server round trip, as in Gradio.
                self._clear = self.click(None, outputs=shown, js="clear",
                                         api_visibility="private", queue=False)
            else:
                self._clear.outputs.extend(shown)
        if states and any(isinstance(c, State) for c in fresh):
            if self._reset is None:
                self._reset = self.click(_Reset(states), outputs=list(states),
                                         api_visibility="private")
            else:
                self._reset.fn = _Reset(states)
                self._reset.outputs[:] = states
        return self


class _Reset:
    """Returns the starting values of some State components (a ClearButton's server half)."""

    def __init__(self, states: list[Any]) -> None:
        self.states = list(states)
        self.__name__ = "clear_state"

    def __call__(self) -> Any:
        values = [state.fresh_value() for state in self.states]
        return values[0] if len(values) == 1 else tuple(values)
