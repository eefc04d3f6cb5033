"""`Interface(fn, inputs, outputs)`: a whole app around one function."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from typing import Any

from porch.blocks.blocks import Blocks
from porch.blocks.events import is_generator
from porch.blocks.examples import Examples
from porch.blocks.flagging import DEFAULT_FLAGGING_DIR, CSVLogger, FlaggingCallback
from porch.blocks.layout import Accordion, Column, Row
from porch.components.audio import Audio, Microphone
from porch.components.base import Component
from porch.components.button import Button
from porch.components.choice import Checkbox, CheckboxGroup, Dropdown, Radio
from porch.components.data import JSON, Label
from porch.components.files import File
from porch.components.gallery import Gallery
from porch.components.highlighted import HighlightedText
from porch.components.link_buttons import DeepLinkButton
from porch.components.markup import HTML, Markdown
from porch.components.media import Image, PlayableVideo, Video
from porch.components.model3d import Model3D
from porch.components.number import Number, Slider
from porch.components.picker import ColorPicker, DateTime
from porch.components.plot import Plot
from porch.components.state import BrowserState, State
from porch.components.table import Dataframe
from porch.components.text import Code, Textbox
from porch.errors import ConfigError
from porch.reporting import Info

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
    "image": Image,
    "audio": Audio,
    "video": Video,
    "model3d": Model3D,
    "microphone": Microphone,
    "mic": Microphone,
    "playablevideo": PlayableVideo,
    "webcam": lambda: Image(sources=["webcam"]),
    "gallery": Gallery,
    "slider": Slider,
    "checkbox": Checkbox,
    "checkboxgroup": CheckboxGroup,
    "radio": Radio,
    "dropdown": Dropdown,
    "dataframe": Dataframe,
    "numpy": lambda: Dataframe(type="numpy"),
    "matrix": lambda: Dataframe(type="array"),
    "list": lambda: Dataframe(type="array", col_count=1),
    "label": Label,
    "highlight": HighlightedText,
    "highlightedtext": HighlightedText,
    "code": Code,
    "html": HTML,
    "colorpicker": ColorPicker,
    "datetime": DateTime,
    "plot": Plot,
    "browserstate": BrowserState,
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
    """An app for one function: inputs on the left, outputs on the right, a Submit button.

    `examples` become a clickable table (`cache_examples=True` runs them at launch, `"lazy"`
    on first click); `live=True` reruns on every input change instead of a Submit button;
    `flagging_mode="manual"` adds Flag buttons (`flagging_options` names them) and `"auto"`
    flags every run, into `flagging_dir`. Flagging is off unless asked for: it writes what
    users send to the server's disk.
    """

    # Gradio keywords accepted but not acted on yet (with Gradio's defaults): warned once.
    unhonoured_keywords = {
        "preload_example": 0,
        "analytics_enabled": None,
        "batch": False,
        "max_batch_size": 4,
        "allow_duplication": False,
    }

    def __init__(
        self,
        fn: Callable[..., Any],
        inputs: str | Component | Sequence[str | Component] | None,
        outputs: str | Component | Sequence[str | Component] | None,
        examples: list[Any] | None = None,
        *,
        cache_examples: bool | str | None = None,
        cache_mode: str | None = None,
        examples_per_page: int = 10,
        example_labels: list[str] | None = None,
        live: bool = False,
        title: str | None = None,
        description: str | None = None,
        article: str | None = None,
        flagging_mode: str | None = None,
        flagging_options: Sequence[Any] | None = None,
        flagging_dir: str = DEFAULT_FLAGGING_DIR,
        flagging_callback: FlaggingCallback | None = None,
        api_name: str | None = None,
        api_visibility: str = "public",
        api_description: str | None = None,
        submit_btn: str = "Submit",
        stop_btn: str | bool = "Stop",
        clear_btn: str | None = "Clear",
        concurrency_limit: int | None | str = "default",
        additional_inputs: str | Component | Sequence[str | Component] | None = None,
        additional_inputs_accordion: str | Accordion | None = None,
        show_progress: str = "full",
        css: str | None = None,
        theme: Any = None,
        js: str | None = None,
        head: str | None = None,
        fill_width: bool = False,
        delete_cache: tuple[float, float] | None = None,
        allow_flagging: str | None = None,
        time_limit: float | None = 30,
        stream_every: float = 0.5,
        validator: Callable[..., Any] | None = None,
        deep_link: str | DeepLinkButton | bool | None = None,
        **_gradio_options: Any,
    ) -> None:
        self.take_unhonoured(_gradio_options)
        super().__init__(title=title or "porch", css=css, theme=theme, js=js, head=head,
                         fill_width=fill_width, delete_cache=delete_cache, mode="interface")
        self.fn = fn
        self.live = live
        flagging_mode = _flagging_mode(flagging_mode or allow_flagging)
        with self:
            if title:
                Markdown(f"# {title}", elem_classes="porch-title")
            if description:
                Markdown(description)
            with Row():
                with Column():
                    self.input_components = _components(inputs)
                    for component in self.input_components:
                        _place(component)
                    self.additional_inputs = _components(additional_inputs)
                    if self.additional_inputs:
                        with _accordion(additional_inputs_accordion):
                            for component in self.additional_inputs:
                                _place(component)
                    with Row():
                        clear = Button(clear_btn, variant="secondary") if clear_btn else None
                        submit = None if live else Button(submit_btn, variant="primary")
                        stop = (Button(stop_btn if isinstance(stop_btn, str) else "Stop",
                                       variant="stop")
                                if stop_btn and not live and is_generator(fn) else None)
                with Column():
                    self.output_components = _components(outputs)
                    for component in self.output_components:
                        _place(component)
                    flag_buttons = _flag_buttons(flagging_mode, flagging_options)
                    self.deep_link = _deep_link_button(deep_link)
            fn_inputs = [*self.input_components, *self.additional_inputs]
            _label_defaults(fn_inputs, fn, "input")
            _label_defaults(self.output_components, None, "output")
            triggers: list[Any] = [] if submit is None else [(submit, "click")]
            triggers += [(c, "submit") for c in self.input_components
                         if isinstance(c, Textbox) and c.lines == 1 and not live]
            streaming = [c for c in self.input_components
                         if live and getattr(c, "streaming", False) and hasattr(c, "stream")]
            if live:
                # A streaming webcam or microphone feeds the function chunk by chunk.
                triggers += [(c, "stream" if c in streaming else "change") for c in fn_inputs
                             if not isinstance(c, State)]
            stream_options: dict[str, Any] = {
                "stream_every": stream_every, "time_limit": time_limit,
                "show_progress": "hidden"} if streaming else {}
            if not triggers:
                triggers = [(self, "load")]
            self.submit_dependency = self.register_event(
                triggers, fn, inputs=fn_inputs, outputs=self.output_components,
                api_name=api_name, api_visibility=api_visibility,
                api_description=api_description, concurrency_limit=concurrency_limit,
                validator=validator, **{"show_progress": show_progress, **stream_options},
            )
            if stop is not None:
                self.register_event([(stop, "click")], None, cancels=[self.submit_dependency],
                                    api_visibility="private", queue=False)
            if clear is not None:
                # Clearing is the browser's job (no server round trip), as in Gradio.
                self.register_event(
                    [(clear, "click")], None,
                    outputs=[*fn_inputs, *self.output_components],
                    js="clear", api_visibility="private", queue=False,
                )
            self.examples = None
            if examples:
                self.examples = Examples(
                    examples, fn_inputs, self.output_components, fn=fn,
                    cache_examples=cache_examples, cache_mode=cache_mode,
                    examples_per_page=examples_per_page, example_labels=example_labels,
                    run_on_click=live,
                )
            if article:
                Markdown(article)
            self.flagging_callback: FlaggingCallback | None = None
            if flagging_mode != "never":
                self._wire_flagging(flagging_mode, flag_buttons,
                                    flagging_callback or CSVLogger(), flagging_dir,
                                    [*fn_inputs, *self.output_components])

    def _wire_flagging(self, mode: str, buttons: list[tuple[Button, str | None]],
                       callback: FlaggingCallback, flagging_dir: str,
                       components: list[Component]) -> None:
        callback.setup(components, flagging_dir)
        self.flagging_callback = callback

        def flagger(option: str | None) -> Callable[..., None]:
            def flag(*values: Any) -> None:
                callback.flag(list(values), flag_option=option)
                Info("Flagged. Thank you!" if mode == "manual" else "Flagged.",
                     visible=mode == "manual", duration=3)

            flag.__name__ = "flag"
            return flag

        if mode == "auto":
            self.submit_dependency.success(flagger(None), inputs=components, outputs=None,
                                           api_visibility="undocumented",
                                           show_progress="hidden")
        for button, option in buttons:
            self.register_event([(button, "click")], flagger(option), inputs=components,
                                outputs=None, api_visibility="undocumented",
                                show_progress="hidden")


def _flagging_mode(mode: str | None) -> str:
    mode = mode or "never"
    if mode not in ("never", "manual", "auto"):
        raise ConfigError(f"flagging_mode must be 'never', 'manual' or 'auto', not {mode!r}.")
    return mode


def _flag_buttons(mode: str, options: Sequence[Any] | None) -> list[tuple[Button, str | None]]:
    """The Flag buttons of manual flagging: one, or one per option ("Flag as good")."""
    if mode != "manual":
        return []
    if not options:
        return [(Button("Flag", variant="secondary", size="sm"), None)]
    buttons: list[tuple[Button, str | None]] = []
    with Row():
        for option in options:
            label, value = option if isinstance(option, (tuple, list)) else (
                f"Flag as {option}", option)
            buttons.append((Button(str(label), variant="secondary", size="sm"), str(value)))
    return buttons


def _accordion(spec: str | Accordion | None) -> Accordion:
    if isinstance(spec, Accordion):
        spec.render()
        return spec
    return Accordion(spec or "Additional Inputs", open=False)


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


def _deep_link_button(deep_link: str | DeepLinkButton | bool | None) -> DeepLinkButton | None:
    """Interface(deep_link=): a text is the button's label, True the default button, a
    DeepLinkButton itself is placed here (Gradio's Spaces-only default does not apply)."""
    if isinstance(deep_link, DeepLinkButton):
        deep_link.render()
        return deep_link
    if deep_link is None or deep_link is False:
        return None
    if deep_link is True:
        return DeepLinkButton()
    if isinstance(deep_link, str):
        return DeepLinkButton(deep_link)
    raise ConfigError("Interface(deep_link=) takes a label, True or False, or a "
                      f"gr.DeepLinkButton, not {type(deep_link).__name__}.")
