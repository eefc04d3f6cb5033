"""Markup components: Markdown and HTML (twins of frontend/components/markup.js).

Markdown is rendered in the page by a renderer that never parses the text as HTML. HTML is the
app author's markup and is shown as markup, but through the page's sanitiser (no scripts,
event handlers or javascript: URLs) and inside a shadow root, so a function that echoes a
visitor's text into its HTML cannot run script in the page nor restyle it.
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from typing import Any

from porch.components.base import Component, Conversion, EventListener
from porch.components.text import text_buttons


class Markdown(Component):
    """Markdown text, rendered (sanitised) in the page."""

    block_type = "markdown"
    schema = {"type": "string"}
    python_type = "str"
    example = "# Hello!"

    change = EventListener("change")
    copy = EventListener("copy")

    def __init__(
        self,
        value: str | None = None,
        *,
        rtl: bool = False,
        latex_delimiters: Any = None,
        sanitize_html: bool = True,
        line_breaks: bool = False,
        header_links: bool = False,
        height: int | str | None = None,
        max_height: int | str | None = None,
        min_height: int | str | None = None,
        padding: bool = False,
        buttons: Sequence[str] | None = None,
        show_copy_button: bool = False,
        show_label: bool | None = None,
        container: bool = False,
        min_width: int | None = None,
        **common: Any,
    ) -> None:
        self.rtl = rtl
        # LaTeX is shown as its source; the page has no math renderer.
        self.latex_delimiters = latex_delimiters
        # Raw HTML in Markdown is always shown as text, whatever `sanitize_html` says.
        self.sanitize_html = sanitize_html
        self.line_breaks = line_breaks
        self.header_links = header_links
        self.height = height
        self.max_height = max_height
        self.min_height = min_height
        self.padding = padding
        self.buttons = text_buttons(buttons, show_copy_button)
        # Gradio's None: a Markdown block shows no label unless asked.
        super().__init__(value, show_label=bool(show_label), container=container,
                         min_width=min_width, **common)

    def postprocess(self, value: Any, conversion: Conversion) -> str | None:
        if value is None:
            return None
        # Indentation from triple-quoted strings would otherwise render as code blocks.
        return inspect.cleandoc(str(value))

    def props(self, conversion: Conversion | None = None) -> dict[str, Any]:
        return {
            **super().props(conversion),
            "rtl": self.rtl,
            "line_breaks": self.line_breaks,
            "header_links": self.header_links,
            "height": self.height,
            "max_height": self.max_height,
            "min_height": self.min_height,
            "padding": self.padding,
            "buttons": self.buttons,
        }


class HTML(Component):
    """The app's own HTML. Shown as markup, sanitised and isolated in a shadow root: no
    scripts, inline event handlers or javascript: URLs run, and its CSS stays inside."""

    block_type = "html"
    schema = {"type": "string"}
    python_type = "str"
    example = "<p>Hello</p>"

    change = EventListener("change")
    input = EventListener("input")
    click = EventListener("click")

    def __init__(
        self,
        value: str | None = None,
        *,
        html_template: str = "${value}",
        css_template: str = "",
        js_on_load: str | None = None,
        apply_default_css: bool = True,
        min_height: int | None = None,
        max_height: int | None = None,
        padding: bool = False,
        autoscroll: bool = False,
        head: str | None = None,
        server_functions: Any = None,
        show_label: bool | None = False,
        container: bool = False,
        min_width: int | None = None,
        **common: Any,
    ) -> None:
        # js_on_load, head and server_functions run app JavaScript in Gradio; porch's page
        # runs none, so they are accepted and ignored.
        self.html_template = html_template
        self.css_template = css_template
        self.apply_default_css = apply_default_css
        self.min_height = min_height
        self.max_height = max_height
        self.padding = padding
        self.autoscroll = autoscroll
        super().__init__(value, show_label=show_label, container=container,
                         min_width=min_width, **_known(common))

    def postprocess(self, value: Any, conversion: Conversion) -> str | None:
        return None if value is None else str(value)

    def preprocess(self, payload: Any, conversion: Conversion) -> str | None:
        return None if payload is None else str(payload)

    def props(self, conversion: Conversion | None = None) -> dict[str, Any]:
        return {
            **super().props(conversion),
            "html_template": self.html_template,
            "css_template": self.css_template,
            "apply_default_css": self.apply_default_css,
            "min_height": self.min_height,
            "max_height": self.max_height,
            "padding": self.padding,
            "autoscroll": self.autoscroll,
        }


def _known(options: dict[str, Any]) -> dict[str, Any]:
    """The common component options; Gradio 6's HTML also takes free-form template props,
    which porch's templates do not use."""
    allowed = set(inspect.signature(Component.__init__).parameters) - {"self", "value"}
    return {k: v for k, v in options.items() if k in allowed}
