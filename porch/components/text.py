"""Text the visitor types or reads as plain text: Textbox, TextArea and Code.

Markdown and HTML, text shown as markup, live in porch/components/markup.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from porch.components.base import Component, Conversion, EventListener
from porch.errors import ConfigError, Error

TEXTBOX_TYPES = ("text", "password", "email")
# The languages Gradio's Code accepts (None: plain text).
CODE_LANGUAGES = (
    "python", "c", "cpp", "markdown", "latex", "json", "html", "css", "javascript", "jinja2",
    "typescript", "yaml", "dockerfile", "shell", "r", "sql", "sql-msSQL", "sql-mySQL",
    "sql-mariaDB", "sql-sqlite", "sql-cassandra", "sql-plSQL", "sql-hive", "sql-pgSQL",
    "sql-gql", "sql-gpSQL", "sql-sparkSQL", "sql-esper",
)


def text_buttons(buttons: Sequence[str] | None, show_copy_button: bool) -> list[str]:
    """Gradio 6's `buttons=["copy"]`, also reached by Gradio 4/5's `show_copy_button=True`."""
    chosen = list(buttons or [])
    if show_copy_button and "copy" not in chosen:
        chosen.append("copy")
    return chosen


@dataclass
class InputHTMLAttributes:
    """HTML attributes for a text field (Gradio's `gr.InputHTMLAttributes`), passed as
    `Textbox(html_attributes=...)`: the page sets them on the field's element."""

    autocapitalize: str | None = None
    autocorrect: str | None = None
    spellcheck: bool | None = None
    autocomplete: str | None = None
    tabindex: int | None = None
    enterkeyhint: str | None = None
    lang: str | None = None

    def to_props(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


def _html_attributes(value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    if isinstance(value, InputHTMLAttributes):
        return value.to_props()
    if isinstance(value, dict):
        return InputHTMLAttributes(**value).to_props()
    raise ConfigError("html_attributes must be a gr.InputHTMLAttributes or a dict of its "
                      f"fields, got {type(value).__name__}.")


class Textbox(Component):
    """A line or area of text, as input or output."""

    block_type = "textbox"
    schema = {"type": "string"}
    python_type = "str"
    example = "Hello!!"

    change = EventListener("change")
    input = EventListener("input")
    select = EventListener("select")
    submit = EventListener("submit")
    blur = EventListener("blur")
    focus = EventListener("focus")
    stop = EventListener("stop")
    copy = EventListener("copy")

    def __init__(
        self,
        value: str | None = None,
        *,
        type: str = "text",
        lines: int = 1,
        max_lines: int | None = None,
        placeholder: str | None = None,
        autofocus: bool = False,
        autoscroll: bool = True,
        text_align: str | None = None,
        rtl: bool = False,
        max_length: int | None = None,
        submit_btn: str | bool | None = False,
        stop_btn: str | bool | None = False,
        buttons: Sequence[str] | None = None,
        show_copy_button: bool = False,
        html_attributes: Any = None,
        **common: Any,
    ) -> None:
        if type not in TEXTBOX_TYPES:
            raise ConfigError(f"Textbox type must be one of {', '.join(TEXTBOX_TYPES)}, "
                              f"got {type!r}.")
        self.type = type
        self.lines = lines
        self.max_lines = max_lines
        self.placeholder = placeholder
        self.autofocus = autofocus
        self.autoscroll = autoscroll
        self.text_align = text_align
        self.rtl = rtl
        self.max_length = max_length
        self.submit_btn = submit_btn
        self.stop_btn = stop_btn
        self.buttons = text_buttons(buttons, show_copy_button)
        # autocorrect, spellcheck, ... set on the field itself (an InputHTMLAttributes or a
        # dict of the same names).
        self.html_attributes = _html_attributes(html_attributes)
        super().__init__(value, **common)

    @property
    def show_copy_button(self) -> bool:
        return "copy" in self.buttons

    def preprocess(self, payload: Any, conversion: Conversion) -> str | None:
        if payload is None:
            return None
        text = payload if isinstance(payload, str) else str(payload)
        if self.max_length is not None and len(text) > self.max_length:
            raise Error(f"{self.label or 'Textbox'}: at most {self.max_length} characters, "
                        f"got {len(text)}.")
        return text

    def postprocess(self, value: Any, conversion: Conversion) -> str | None:
        return None if value is None else str(value)

    def props(self, conversion: Conversion | None = None) -> dict[str, Any]:
        return {
            **super().props(conversion),
            "type": self.type,
            "lines": self.lines,
            "max_lines": self.max_lines,
            "placeholder": self.placeholder,
            "autofocus": self.autofocus,
            "autoscroll": self.autoscroll,
            "text_align": self.text_align,
            "rtl": self.rtl,
            "max_length": self.max_length,
            "submit_btn": self.submit_btn,
            "stop_btn": self.stop_btn,
            "buttons": self.buttons,
            "show_copy_button": self.show_copy_button,
            "html_attributes": self.html_attributes,
        }


class Code(Component):
    """Source code: a read-only view, or an editable monospace area when interactive."""

    block_type = "code"
    schema = {"type": "string"}
    python_type = "str"
    example = "print('Hello World')"

    change = EventListener("change")
    input = EventListener("input")
    focus = EventListener("focus")
    blur = EventListener("blur")

    def __init__(
        self,
        value: str | None = None,
        language: str | None = None,
        *,
        lines: int = 5,
        max_lines: int | None = None,
        wrap_lines: bool = False,
        show_line_numbers: bool = True,
        autocomplete: bool = False,
        buttons: Sequence[str] | None = None,
        **common: Any,
    ) -> None:
        if language is not None and language not in CODE_LANGUAGES:
            raise ConfigError(f"Code language {language!r} is not supported; use one of "
                              f"{', '.join(CODE_LANGUAGES)} or None.")
        self.language = language
        self.lines = lines
        self.max_lines = max_lines
        self.wrap_lines = wrap_lines
        self.show_line_numbers = show_line_numbers
        self.autocomplete = autocomplete
        self.buttons = list(buttons) if buttons is not None else ["copy"]
        super().__init__(value, **common)

    def preprocess(self, payload: Any, conversion: Conversion) -> str | None:
        return None if payload is None else str(payload)

    def postprocess(self, value: Any, conversion: Conversion) -> str | None:
        if value is None:
            return None
        if isinstance(value, tuple):
            raise Error("Code shows text: read the file and return its contents as a str.")
        return str(value).strip()

    def props(self, conversion: Conversion | None = None) -> dict[str, Any]:
        return {
            **super().props(conversion),
            "language": self.language,
            "lines": self.lines,
            "max_lines": self.max_lines,
            "wrap_lines": self.wrap_lines,
            "show_line_numbers": self.show_line_numbers,
            "buttons": self.buttons,
        }


class TextArea(Textbox):
    """A Textbox of several lines (Gradio's `gr.TextArea`)."""

    def __init__(self, value: str | None = None, *, lines: int = 7, max_lines: int | None = 20,
                 **options: Any) -> None:
        super().__init__(value, lines=lines, max_lines=max_lines, **options)
