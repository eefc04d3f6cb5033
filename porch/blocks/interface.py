"""`Interface(fn, inputs, outputs)`: a whole app around one function."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from typing import Any

from porch.blocks.blocks import Blocks
from porch.blocks.layout import Column, Row
from porch.components.base import Component
from porch.components.button import Button
from porch.components.data import JSON
from porch.components.files import File
from porch.components.number import Number
from porch.components.state import State
from porch.components.text import Markdown, Textbox
from porch.errors import ConfigError

# The string shortcuts Gradio users write: Interface(fn, "text", "text").
SHORTCUTS: dict[str, Callable[[], Component]] = {
    "text": Textbox,
    "textbox": Textbox,
    "textarea": lambda: Textbox(lines=7),
    "number": Number,
    "markdown": Markdown,
    "state": State,
    "file": File,
    "files": lambda: File(file_count="multiple"),
    "json": JSON,
}


def component_from(spec: str | Component) -> Component:
    """A component from a shortcut string, or the component itself."""
    if isinstance(spec, Component):
        return spec
    if isinstance(spec, str):
        make = SHORTCUTS.get(spec.lower())
        if make is not None:
            return make()
        raise ConfigError(
            f"Unknown component shortcut {spec!r}; use one of {', '.join(sorted(SHORTCUTS))} "
            "or pass a component instance."
        )
    raise ConfigError(f"Expected a component or a shortcut string, got {spec!r}.")


def _components(specs: str | Component | Sequence[str | Component] | None) -> list[Component]:
    if specs is None:
        return []
    if isinstance(specs, (str, Component)):
        specs = [specs]
    return [component_from(s) for s in specs]


class Interface(Blocks):
    """An app for one function: inputs on the left, outputs on the right, a Submit button."""

    def __init__(
        self,
        fn: Callable[..., Any],
        inputs: str | Component | Sequence[str | Component] | None,
        outputs: str | Component | Sequence[str | Component] | None,
        *,
        title: str | None = None,
        description: str | None = None,
        article: str | None = None,
        examples: list[Any] | None = None,
        api_name: str | None = None,
        submit_btn: str = "Submit",
        clear_btn: str | None = "Clear",
        concurrency_limit: int | None | str = "default",
        css: str | None = None,
        theme: Any = None,
        live: bool = False,
        **_gradio_options: Any,
    ) -> None:
        super().__init__(title=title or "porch", css=css, theme=theme, mode="interface")
        self.fn = fn
        self.examples = examples
        with self:
            if title:
                Markdown(f"# {title}")
            if description:
                Markdown(description)
            with Row():
                with Column():
                    self.input_components = _components(inputs)
                    for component in self.input_components:
                        _place(component)
                    with Row():
                        clear = Button(clear_btn, variant="secondary") if clear_btn else None
                        submit = Button(submit_btn, variant="primary")
                with Column():
                    self.output_components = _components(outputs)
                    for component in self.output_components:
                        _place(component)
            if article:
                Markdown(article)
            _label_defaults(self.input_components, fn, "input")
            _label_defaults(self.output_components, None, "output")
            triggers: list[Any] = [(submit, "click")]
            triggers += [(c, "submit") for c in self.input_components
                         if isinstance(c, Textbox) and c.lines == 1]
            if live:
                triggers += [(c, "change") for c in self.input_components
                             if not isinstance(c, State)]
            self.submit_dependency = self.register_event(
                triggers, fn, inputs=self.input_components, outputs=self.output_components,
                api_name=api_name, concurrency_limit=concurrency_limit,
            )
            if clear is not None:
                # Clearing is the browser's job (no server round trip), as in Gradio.
                self.register_event(
                    [(clear, "click")], None,
                    outputs=[*self.input_components, *self.output_components],
                    js="clear", api_visibility="private", queue=False,
                )


def _place(component: Component) -> None:
    if not component.rendered:
        component.render()


def _label_defaults(components: list[Component], fn: Callable[..., Any] | None,
                    role: str) -> None:
    """Unlabelled components get the function's parameter names (inputs) or 'output'."""
    names: list[str] = []
    if fn is not None:
        try:
            names = list(inspect.signature(fn).parameters)
        except (TypeError, ValueError):
            names = []
    for index, component in enumerate(components):
        if component.label is None and not isinstance(component, State):
            if role == "input" and index < len(names):
                component.label = names[index]
            else:
                component.label = role if len(components) == 1 else f"{role} {index}"
