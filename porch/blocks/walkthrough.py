"""Walkthrough and Step: a sequence of steps, one shown at a time, numbered in order.

A Walkthrough is a Tabs whose tabs are numbered steps; an event moves it on with
`return porch.Walkthrough(selected=2)` (a Step's `id`), and a click on a step's number goes
back to it, firing `select` and `change` as Tabs do.
"""

from __future__ import annotations

from typing import Any

from porch.blocks.layout import Layout, Tab, Tabs
from porch.components.base import Block, Conversion, current_container
from porch.errors import ConfigError


class Walkthrough(Tabs):
    """Numbered steps, one shown at a time; `selected` is the shown Step's `id`."""

    block_type = "walkthrough"

    def __init__(
        self,
        *,
        selected: int | None = None,
        visible: bool = True,
        elem_id: str | None = None,
        elem_classes: list[str] | str | None = None,
        render: bool = True,
        key: int | str | tuple[int | str, ...] | None = None,
        preserved_by_key: list[str] | str | None = None,
    ) -> None:
        super().__init__(selected=selected, visible=visible, elem_id=elem_id,
                         elem_classes=elem_classes, render=render, key=key)


class Step(Tab):
    """One step of a Walkthrough (it must be placed inside one)."""

    block_type = "walkthroughstep"

    def __init__(
        self,
        label: str | None = None,
        visible: bool = True,
        interactive: bool = True,
        *,
        id: int | None = None,  # noqa: A002
        elem_id: str | None = None,
        elem_classes: list[str] | str | None = None,
        scale: int | None = None,
        render: bool = True,
        key: int | str | tuple[int | str, ...] | None = None,
        preserved_by_key: list[str] | str | None = None,
    ) -> None:
        super().__init__(label, visible=visible, interactive=interactive, id=id, scale=scale,
                         elem_id=elem_id, elem_classes=elem_classes, render=render, key=key)

    def render(self) -> Block:
        container = current_container.get()
        if container is not None and not isinstance(container, Walkthrough):
            raise ConfigError("porch.Step must be placed inside a `with porch.Walkthrough():`.")
        return Layout.render(self)

    def props(self, conversion: Conversion | None = None) -> dict[str, Any]:
        return {**super().props(conversion), "name": "walkthroughstep"}
