"""Text components: Textbox and Markdown."""

from __future__ import annotations

import inspect
from typing import Any

from porch.components.base import Component, Conversion, EventListener


class Textbox(Component):
    """A line or area of text, as input or output."""

    block_type = "textbox"
    schema = {"type": "string"}
    python_type = "str"
    example = "Hello!!"

    change = EventListener("change")
    input = EventListener("input")
    submit = EventListener("submit")
    blur = EventListener("blur")
    focus = EventListener("focus")

    def __init__(
        self,
        value: str | None = None,
        *,
        lines: int = 1,
        max_lines: int | None = None,
        placeholder: str | None = None,
        type: str = "text",
        autofocus: bool = False,
        show_copy_button: bool = False,
        **common: Any,
    ) -> None:
        self.lines = lines
        self.max_lines = max_lines
        self.placeholder = placeholder
        self.type = type
        self.autofocus = autofocus
        self.show_copy_button = show_copy_button
        super().__init__(value, **common)

    def preprocess(self, payload: Any, conversion: Conversion) -> str | None:
        return None if payload is None else str(payload)

    def postprocess(self, value: Any, conversion: Conversion) -> str | None:
        return None if value is None else str(value)

    def props(self, conversion: Conversion | None = None) -> dict[str, Any]:
        return {
            **super().props(conversion),
            "lines": self.lines,
            "max_lines": self.max_lines,
            "placeholder": self.placeholder,
            "type": self.type,
            "autofocus": self.autofocus,
            "show_copy_button": self.show_copy_button,
        }


class Markdown(Component):
    """Markdown text, rendered (sanitised) in the page."""

    block_type = "markdown"
    schema = {"type": "string"}
    python_type = "str"
    example = "# Hello!"

    change = EventListener("change")

    def __init__(self, value: str | None = None, **common: Any) -> None:
        super().__init__(value, **common)

    def postprocess(self, value: Any, conversion: Conversion) -> str | None:
        if value is None:
            return None
        # Indentation from triple-quoted strings would otherwise render as code blocks.
        return inspect.cleandoc(str(value))
