"""ParamViewer: a documented list of parameters (name, type, default, description).

The value is Gradio's: ``{name: {"type": ..., "description": ..., "default": ...}}``, passed
through unchanged both ways. The page shows each parameter as a row that opens to its
description, which is rendered by porch's Markdown DOM renderer (never as raw HTML).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from porch.components.base import Component, Conversion, EventListener
from porch.errors import Error
from porch.unhonoured import unhonoured

PARAMETER_FIELDS = ("type", "description", "default")


def _parameters(value: Any) -> dict[str, dict[str, Any]]:
    if not isinstance(value, Mapping) or any(
            not isinstance(name, str) or not isinstance(spec, Mapping)
            for name, spec in value.items()):
        raise Error("ParamViewer's value maps each parameter name to "
                    "{'type': ..., 'description': ..., 'default': ...}.")
    return {name: {k: spec.get(k) for k in PARAMETER_FIELDS} for name, spec in value.items()}


class ParamViewer(Component):
    """A table of parameters with their types, defaults and descriptions."""

    block_type = "paramviewer"
    schema: dict[str, Any] = {"type": {}, "description": "any valid json"}
    python_type = "str | float | bool | list | dict"
    example = {"array": {"type": "numpy", "description": "any valid json", "default": "None"}}

    change = EventListener("change")
    upload = EventListener("upload")

    def __init__(
        self,
        value: Mapping[str, Any] | None = None,
        language: Literal["python", "typescript"] = "python",
        linkify: list[str] | None = None,
        every: Any = None,
        inputs: Any = None,
        render: bool = True,
        key: int | str | tuple[int | str, ...] | None = None,
        preserved_by_key: list[str] | str | None = "value",
        header: str | None = "Parameters",
        anchor_links: bool | str = False,
        max_height: int | str | None = None,
    ) -> None:
        unhonoured("ParamViewer", locals(), {"linkify": None})
        self.language = language
        self.header = header
        self.anchor_links = anchor_links
        self.max_height = max_height
        super().__init__(value or {}, render=render, key=key, every=every, inputs=inputs)

    def preprocess(self, payload: Any, conversion: Conversion) -> dict[str, Any] | None:
        return None if payload is None else _parameters(payload)

    def postprocess(self, value: Any, conversion: Conversion) -> dict[str, Any] | None:
        return None if value is None else _parameters(value)

    def props(self, conversion: Conversion | None = None) -> dict[str, Any]:
        return {**super().props(conversion), "language": self.language, "header": self.header,
                "anchor_links": self.anchor_links, "max_height": self.max_height}
