"""Layouts: blocks that hold other blocks (Row, Column, Group, Tabs/Tab, Accordion, Sidebar).

A layout can also be an event's output, to show, hide or open it:
`return porch.Accordion(open=True)` or `porch.update(visible=False)`.
"""

from __future__ import annotations

from contextvars import Token
from typing import Any

from porch.components.base import (
    Block,
    Container,
    Conversion,
    EventListener,
    current_container,
    current_registry,
)
from porch.errors import ConfigError


class Layout(Block):
    """A container block; use it as a context manager to place blocks inside it."""

    block_type = "layout"

    def __init__(self, **common: Any) -> None:
        self.children: list[Block] = []
        self._tokens: list[Token[Container | None]] = []
        super().__init__(**common)

    def add_child(self, block: Block) -> None:
        self.children.append(block)

    def __enter__(self) -> Layout:
        self._tokens.append(current_container.set(self))
        return self

    def __exit__(self, *exc: object) -> None:
        current_container.reset(self._tokens.pop())

    def layout(self) -> dict[str, Any]:
        """This block's place in the page tree."""
        node: dict[str, Any] = {"id": self.id}
        node["children"] = [
            child.layout() if isinstance(child, Layout) else {"id": child.id}
            for child in self.children
        ]
        return node


class Row(Layout):
    """Children side by side; wraps on narrow screens."""

    unhonoured_keywords = {"scale": None, "height": None, "max_height": None, "min_height": None,
                           "show_progress": False}

    block_type = "row"

    def __init__(self, *, variant: str = "default", equal_height: bool = False,
                 **common: Any) -> None:
        self.variant = variant
        self.equal_height = equal_height
        super().__init__(**common)

    def props(self, conversion: Conversion | None = None) -> dict[str, Any]:
        return {**super().props(conversion), "variant": self.variant,
                "equal_height": self.equal_height}


class Column(Layout):
    """Children stacked; `scale` sets its share of a Row's width."""

    unhonoured_keywords = {"show_progress": False}

    block_type = "column"

    def __init__(self, *, scale: int = 1, min_width: int = 320, variant: str = "default",
                 **common: Any) -> None:
        self.scale = scale
        self.min_width = min_width
        self.variant = variant
        super().__init__(**common)

    def props(self, conversion: Conversion | None = None) -> dict[str, Any]:
        return {**super().props(conversion), "scale": self.scale, "min_width": self.min_width,
                "variant": self.variant}


class Group(Layout):
    """Children drawn as one panel, without gaps."""

    block_type = "group"


class Tabs(Layout):
    """A set of `Tab`s, one shown at a time. `selected` is a tab's `id` (or its index when
    the tabs have no ids); an event can switch tabs with `return Tabs(selected=...)`."""

    unhonoured_keywords = {"overflow_behavior": "menu"}

    block_type = "tabs"

    change = EventListener("change")
    select = EventListener("select")

    def __init__(self, *, selected: int | str | None = None, **common: Any) -> None:
        self.selected = selected
        # Made by a bare `with Tab():`, so that the Tabs that follow join it.
        self.implicit = False
        super().__init__(**common)

    def props(self, conversion: Conversion | None = None) -> dict[str, Any]:
        return {**super().props(conversion), "selected": self.selected}


class Tab(Layout):
    """One page of a `Tabs`. Placed outside a Tabs, consecutive tabs share one made for them.

    `id` names the tab for `Tabs(selected=)`; the block's own numeric id stays `.id`.
    """

    unhonoured_keywords = {"alignment": "left", "height": None, "max_height": None,
                           "render_children": False}

    block_type = "tabitem"

    select = EventListener("select")

    def __init__(self, label: str | None = None, *, visible: bool = True,
                 interactive: bool = True, id: int | str | None = None,  # noqa: A002
                 scale: int | None = None, **common: Any) -> None:
        self.label = label
        self.interactive = interactive
        self.tab_id = id
        self.scale = scale
        super().__init__(visible=visible, **common)

    def render(self) -> Block:
        container = current_container.get()
        if container is None or self.rendered or isinstance(container, Tabs):
            return super().render()
        siblings = getattr(container, "children", None)
        last = siblings[-1] if siblings else None
        if isinstance(last, Tabs) and last.implicit:
            tabs = last
        else:
            tabs = Tabs()
            tabs.implicit = True
        tabs.add_child(self)
        self.rendered = True
        registry = current_registry.get()
        if registry is not None:
            registry.add_block(self)
        return self

    def props(self, conversion: Conversion | None = None) -> dict[str, Any]:
        return {**super().props(conversion), "label": self.label, "id": self.tab_id,
                "interactive": self.interactive, "scale": self.scale, "name": "tab"}


TabItem = Tab


class Accordion(Layout):
    """A titled section that opens and closes; fires `expand` and `collapse`."""

    unhonoured_keywords = {"height": None, "max_height": None}

    block_type = "accordion"

    expand = EventListener("expand")
    collapse = EventListener("collapse")

    def __init__(self, label: str | None = None, *, open: bool = True,  # noqa: A002
                 **common: Any) -> None:
        self.label = label
        self.open = open
        super().__init__(**common)

    def props(self, conversion: Conversion | None = None) -> dict[str, Any]:
        return {**super().props(conversion), "label": self.label, "open": self.open}


class Sidebar(Layout):
    """A panel at the page's left or right edge that the user can fold away; a drawer over
    the page on a phone. Fires `expand` and `collapse`."""

    block_type = "sidebar"

    expand = EventListener("expand")
    collapse = EventListener("collapse")

    def __init__(self, label: str | None = None, *, open: bool = True,  # noqa: A002
                 position: str = "left", width: int | str = 320, **common: Any) -> None:
        if position not in ("left", "right"):
            raise ConfigError(f"Sidebar position must be 'left' or 'right', got {position!r}.")
        self.label = label
        self.open = open
        self.position = position
        self.width = width
        super().__init__(**common)

    def props(self, conversion: Conversion | None = None) -> dict[str, Any]:
        return {**super().props(conversion), "label": self.label, "open": self.open,
                "position": self.position, "width": self.width}
