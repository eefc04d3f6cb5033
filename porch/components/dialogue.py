"""Dialogue: a conversation of lines, each said by one of a set of speakers.

On the wire the value is Gradio's DialogueModel: a list of ``{"speaker", "text"}`` lines, or a
plain string. The app's function receives the lines joined into one string
(``"[speaker] text"`` per line, joined by `separator`, or as `formatter` writes them), or the
list itself with ``type="list"``. It may return either shape.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from porch.components.base import Component, Conversion, EventListener
from porch.errors import Error
from porch.unhonoured import unhonoured

DIALOGUE_SCHEMA: dict[str, Any] = {
    "$defs": {"DialogueLine": {
        "properties": {"speaker": {"title": "Speaker", "type": "string"},
                       "text": {"title": "Text", "type": "string"}},
        "required": ["speaker", "text"], "title": "DialogueLine", "type": "object"}},
    "anyOf": [{"items": {"$ref": "#/$defs/DialogueLine"}, "type": "array"}, {"type": "string"}],
    "title": "DialogueModel",
    "additional_description": None,
}
Line = dict[str, str]
TAGS_INFO = "Type colon (:) in the dialogue line to see the available tags"


def _lines(value: Any) -> list[Line] | str:
    if isinstance(value, str):
        return value
    if not isinstance(value, list) or any(
            not isinstance(line, dict) or not isinstance(line.get("speaker"), str)
            or not isinstance(line.get("text"), str) for line in value):
        raise Error("A Dialogue value is a string or a list of {'speaker': ..., 'text': ...}.")
    return [{"speaker": line["speaker"], "text": line["text"]} for line in value]


class Dialogue(Component):
    """Lines of a conversation, each with its speaker; editable when interactive."""

    block_type = "dialogue"
    schema = DIALOGUE_SCHEMA
    python_type = "list[dict(speaker: str, text: str)] | str"
    example = [{"speaker": "Speaker 1", "text": "Hello, how are you?"},
               {"speaker": "Speaker 2", "text": "I'm fine, thank you!"}]

    change = EventListener("change")
    input = EventListener("input")
    submit = EventListener("submit")

    def __init__(
        self,
        value: list[dict[str, str]] | Callable[..., Any] | None = None,
        *,
        type: Literal["list", "text"] = "text",  # noqa: A002
        speakers: list[str] | None = None,
        formatter: Callable[[str, str], str] | None = None,
        unformatter: Callable[[str, str], dict[str, str]] | None = None,
        tags: list[str] | None = None,
        separator: str = "\n",
        color_map: dict[str, str] | None = None,
        label: str | None = "Dialogue",
        info: str | None = "Type colon (:) in the dialogue line to see the available tags",
        placeholder: str | None = None,
        show_label: bool | None = None,
        container: bool = True,
        scale: int | None = None,
        min_width: int = 160,
        interactive: bool | None = None,
        visible: bool | Literal["hidden"] = True,
        elem_id: str | None = None,
        autofocus: bool = False,
        autoscroll: bool = True,
        elem_classes: list[str] | str | None = None,
        render: bool = True,
        key: int | str | None = None,
        max_lines: int | None = None,
        buttons: list[Any] | None = None,
        submit_btn: str | bool | None = False,
        ui_mode: Literal["dialogue", "text", "both"] = "both",
    ) -> None:
        # `unformatter` runs in Gradio as a server function the page calls while the user
        # types in text mode; porch's page parses "[speaker] text" lines itself.
        unhonoured("Dialogue", locals(), {"unformatter": None, "tags": None, "autofocus": False,
                                          "autoscroll": True, "max_lines": None,
                                          "buttons": None})
        if type not in ("list", "text"):
            raise Error("Dialogue type must be 'list' or 'text'.")
        self.type = type
        self.speakers = speakers
        self.formatter = formatter
        self.separator = separator
        self.color_map = color_map
        self.placeholder = placeholder
        self.submit_btn = submit_btn
        self.ui_mode = ui_mode
        # Gradio's default info points at the tag menu, which exists only with `tags`.
        if tags is None and info == TAGS_INFO:
            info = None
        super().__init__(
            value, label=label, info=info, show_label=show_label, container=container,
            scale=scale, min_width=min_width, interactive=interactive,
            visible=visible is not False, elem_id=elem_id, elem_classes=elem_classes,
            render=render, key=key)

    def format(self, lines: list[Line] | str) -> str:
        """The dialogue as one string, as the app's function receives it with type="text"."""
        if isinstance(lines, str):
            return lines
        if len(lines) == 1 and lines[0]["text"] == "" or not lines:
            return ""
        write = self.formatter or (lambda speaker, text: f"[{speaker}] {text}")
        return self.separator.join(write(line["speaker"], line["text"]) for line in lines)

    def preprocess(self, payload: Any, conversion: Conversion) -> Any:
        if payload is None:
            return None
        lines = _lines(payload)
        return lines if self.type == "list" else self.format(lines)

    def postprocess(self, value: Any, conversion: Conversion) -> list[Line] | str | None:
        return None if value is None else _lines(value)

    def initial_payload(self, conversion: Conversion | None = None) -> Any:
        return None if callable(self.value) else self.postprocess(self.value,
                                                                   conversion or Conversion())

    def props(self, conversion: Conversion | None = None) -> dict[str, Any]:
        return {**super().props(conversion), "speakers": self.speakers,
                "separator": self.separator, "color_map": self.color_map,
                "placeholder": self.placeholder, "submit_btn": self.submit_btn,
                "ui_mode": self.ui_mode}
