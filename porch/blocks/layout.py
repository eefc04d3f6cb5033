"""Layouts: blocks that hold other blocks (Row, Column, Group)."""

from __future__ import annotations

from contextvars import Token
from typing import Any

from porch.components.base import Block, Container, Conversion, current_container


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
