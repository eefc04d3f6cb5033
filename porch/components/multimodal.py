"""The MultimodalTextbox: a message box that also takes files, `{"text", "files"}`.

Files go through the one gate like any file input: the page uploads them, the function gets
the cached paths, and returned files are adopted like any other output.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from porch.components.base import Component, Conversion, EventListener
from porch.components.files import FILE_DATA_SCHEMA, entry_from_payload, file_payload
from porch.errors import InvalidRequest

# Keywords of Gradio's MultimodalTextbox porch does not act on yet (with Gradio's defaults):
# each warns once when given another value.
_UNHONOURED_MULTIMODAL = {
    "autoscroll": True, "text_align": None, "rtl": False, "max_plain_text_length": 1000,
    "html_attributes": None, "show_copy_button": False,
}

MULTIMODAL_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "text": {"type": "string"},
        "files": {"type": "array", "items": FILE_DATA_SCHEMA},
    },
    "required": ["text"],
}


class MultimodalTextbox(Component):
    """A message box that also takes files: its value is `{"text": str, "files": [paths]}`."""

    unhonoured_keywords = _UNHONOURED_MULTIMODAL
    block_type = "multimodaltextbox"
    schema = MULTIMODAL_SCHEMA
    python_type = "dict(text: str, files: list[filepath])"
    example: Any = {"text": "Describe this file", "files": []}
    does_io = True

    change = EventListener("change")
    input = EventListener("input")
    submit = EventListener("submit")
    stop = EventListener("stop")
    blur = EventListener("blur")
    focus = EventListener("focus")
    upload = EventListener("upload")

    def __init__(
        self,
        value: Any = None,
        *,
        sources: Sequence[str] | str | None = None,
        file_types: Sequence[str] | None = None,
        file_count: str = "single",
        lines: int = 1,
        max_lines: int = 20,
        placeholder: str | None = None,
        autofocus: bool = False,
        submit_btn: str | bool | None = True,
        stop_btn: str | bool | None = False,
        **common: Any,
    ) -> None:
        if file_count not in ("single", "multiple", "directory"):
            raise ValueError("file_count must be 'single', 'multiple' or 'directory'")
        self.sources = [sources] if isinstance(sources, str) else list(sources or ["upload"])
        self.file_types = list(file_types) if file_types else None
        self.file_count = file_count
        self.lines = lines
        self.max_lines = max_lines
        self.placeholder = placeholder
        self.autofocus = autofocus
        self.submit_btn = submit_btn
        self.stop_btn = stop_btn
        super().__init__(value, **common)

    def preprocess(self, payload: Any, conversion: Conversion) -> dict[str, Any] | None:
        if payload is None:
            return None
        if isinstance(payload, str):
            return {"text": payload, "files": []}
        if not isinstance(payload, dict):
            raise InvalidRequest("A MultimodalTextbox value is {'text': str, 'files': [...]}.",
                                 422)
        files = payload.get("files") or []
        if not isinstance(files, list):
            raise InvalidRequest("'files' must be a list of FileData.", 422)
        paths = [str(entry_from_payload(item, conversion).path) for item in files]
        text = payload.get("text")
        return {"text": "" if text is None else str(text), "files": paths}

    def postprocess(self, value: Any, conversion: Conversion) -> dict[str, Any] | None:
        if value is None:
            return None
        if isinstance(value, str):
            return {"text": value, "files": []}
        if not isinstance(value, dict):
            raise ValueError("A MultimodalTextbox value is a str or {'text': ..., 'files': [...]}.")
        files = value.get("files") or []
        text = value.get("text")
        return {"text": "" if text is None else str(text),
                "files": [file_payload(item, conversion) for item in files]}

    def initial_payload(self, conversion: Conversion | None = None) -> Any:
        value = self.value() if callable(self.value) else self.value
        if value is None:
            return {"text": "", "files": []}
        if isinstance(value, dict) and value.get("files") and (
                conversion is None or conversion.policy is None):
            return {"text": str(value.get("text") or ""), "files": []}
        return self.postprocess(value, conversion or Conversion())

    def props(self, conversion: Conversion | None = None) -> dict[str, Any]:
        return {
            **super().props(conversion),
            "sources": self.sources,
            "file_types": self.file_types,
            "file_count": self.file_count,
            "lines": self.lines,
            "max_lines": self.max_lines,
            "placeholder": self.placeholder,
            "autofocus": self.autofocus,
            "submit_btn": self.submit_btn,
            "stop_btn": self.stop_btn,
        }
