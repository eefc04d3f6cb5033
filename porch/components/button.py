"""Buttons: Button."""

from __future__ import annotations

from typing import Any

from porch.components.base import Component, Conversion, EventListener


class Button(Component):
    """A button; its value is its text."""

    block_type = "button"
    skip_api = True

    click = EventListener("click")

    def __init__(
        self,
        value: str = "Run",
        *,
        variant: str = "secondary",
        size: str = "lg",
        **common: Any,
    ) -> None:
        self.variant = variant
        self.size = size
        super().__init__(value, **common)

    def props(self, conversion: Conversion | None = None) -> dict[str, Any]:
        return {**super().props(conversion), "variant": self.variant, "size": self.size}
