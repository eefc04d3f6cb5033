"""The block tree's leaves and the hook that lets them join an app.

A `Block` is anything placed in an app (a component or a layout). It does not know `Blocks`
(that layer sits above); instead, while a `with Blocks():` body runs, the current container
and the app's event registry sit in context variables, and blocks and event listeners use them.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from porch.errors import ConfigError
from porch.unhonoured import unhonoured

if TYPE_CHECKING:
    from porch.files.cache import CacheEntry
    from porch.files.policy import FilePolicy

_ids = itertools.count(1)


class Container(Protocol):
    def add_child(self, block: Block) -> None: ...


class EventRegistry(Protocol):
    """What an app offers to event listeners (implemented by `porch.Blocks`)."""

    def add_block(self, block: Block) -> None: ...

    def register_event(
        self, targets: list[tuple[Block, str]], fn: Callable[..., Any] | None, **options: Any
    ) -> Any: ...


current_container: ContextVar[Container | None] = ContextVar("current_container", default=None)
current_registry: ContextVar[EventRegistry | None] = ContextVar("current_registry", default=None)


@dataclass
class Conversion:
    """What a component may use while converting a value: the file gate and URL maker.

    Components convert files only through `policy` (the one gate of porch.files).
    """

    policy: FilePolicy | None = None
    file_url: Callable[[str], str] = field(default=lambda path: path)
    # The SSRF-safe fetcher: downloads a public http(s) URL into the cache.
    fetch: Callable[[str], CacheEntry] | None = None

    def require_policy(self) -> FilePolicy:
        if self.policy is None:
            raise ConfigError("Files can only be converted while the app is served.")
        return self.policy

    def fetch_url(self, url: str) -> CacheEntry:
        if self.fetch is None:
            raise ConfigError("URLs can only be fetched while the app is served.")
        return self.fetch(url)


# The conversion of the event being run (set by the server around each event function), for
# app-side helpers that convert values themselves: flagging, lazily cached examples.
current_conversion: ContextVar[Conversion | None] = ContextVar("current_conversion",
                                                               default=None)


class Block:
    """Something placed in an app: a component or a layout."""

    block_type: str = "block"
    # Gradio keywords this block accepts but does not act on yet, with Gradio's defaults
    # (merged along the class's bases): one given another value warns once, by name.
    unhonoured_keywords: ClassVar[Mapping[str, Any]] = {"preserved_by_key": None}
    skip_api: bool = True
    does_io = False  # see Component.does_io
    # What the constructor was given, so that a block returned by an event function updates
    # only the props the app named (`return Textbox(visible=False)`).
    constructor_args: tuple[tuple[Any, ...], dict[str, Any]]

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        block = super().__new__(cls)
        block.constructor_args = (args, kwargs)
        return block

    def __init__(
        self,
        *,
        visible: bool = True,
        elem_id: str | None = None,
        elem_classes: Sequence[str] | str | None = None,
        render: bool = True,
        key: Any = None,
        **gradio_only: Any,
    ) -> None:
        self.take_unhonoured(gradio_only)
        self.id = next(_ids)
        self.visible = visible
        self.elem_id = elem_id
        self.elem_classes = [elem_classes] if isinstance(elem_classes, str) else list(
            elem_classes or []
        )
        self.key = key
        self.rendered = False
        if render:
            self.render()

    @classmethod
    def all_unhonoured_keywords(cls) -> dict[str, Any]:
        merged: dict[str, Any] = {}
        for klass in reversed(cls.__mro__):
            merged.update(vars(klass).get("unhonoured_keywords", {}))
        return merged

    def take_unhonoured(self, options: Mapping[str, Any]) -> None:
        """Accept Gradio keywords porch does not act on (warning once for each one given a
        non-default value); anything else is a mistake, as for any Python call."""
        if not options:
            return
        known = self.all_unhonoured_keywords()
        unknown = sorted(set(options) - set(known))
        if unknown:
            raise TypeError(f"{type(self).__name__}() got unexpected keyword argument(s): "
                            f"{', '.join(unknown)}")
        unhonoured(type(self).__name__, options, {name: known[name] for name in options})

    def render(self) -> Block:
        """Place this block in the container being built (a no-op outside one)."""
        container = current_container.get()
        registry = current_registry.get()
        if container is not None and not self.rendered:
            container.add_child(self)
            self.rendered = True
        if registry is not None:
            registry.add_block(self)
        return self

    def props(self, conversion: Conversion | None = None) -> dict[str, Any]:
        """The block's properties as the frontend reads them."""
        return {
            "visible": self.visible,
            "elem_id": self.elem_id,
            "elem_classes": self.elem_classes,
            "name": self.block_type,
        }

    def config(self, conversion: Conversion | None = None) -> dict[str, Any]:
        return {"id": self.id, "type": self.block_type, "props": self.props(conversion),
                "skip_api": True, "key": config_key(self.key)}

    def __repr__(self) -> str:
        return f"<{type(self).__name__} id={self.id}>"


def config_key(key: Any) -> str | int | float | None:
    """A block's `key=` as the config carries it (the page matches re-rendered blocks by it)."""
    return key if key is None or isinstance(key, (str, int, float)) else repr(key)


def server(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a component method as callable by the page (Gradio's `@server`): the
    `component_server` route runs only methods marked so, through the usual guard."""
    fn.is_server_fn = True  # type: ignore[attr-defined]
    return fn


class EventListener:
    """`component.click(fn, inputs, outputs, ...)`: registers an event with the current app."""

    def __init__(self, event: str) -> None:
        self.event = event

    def __get__(self, block: Block | None, owner: type) -> Any:
        if block is None:
            return self
        return BoundListener(block, self.event)


_DECORATE: Any = object()  # `fn` left out: the listener is used as a decorator


class BoundListener:
    """One block's listener, e.g. `button.click`: call it to register an event, use it as a
    decorator (`@button.click(inputs=..., outputs=...)`), or pass it in `porch.on(triggers=)`."""

    def __init__(self, block: Block, event: str) -> None:
        self.block = block
        self.event = event
        self.__name__ = event

    def __call__(self, fn: Callable[..., Any] | None = _DECORATE, inputs: Any = None,
                 outputs: Any = None, **options: Any) -> Any:
        registry = current_registry.get()
        if registry is None:
            raise ConfigError(
                f"{type(self.block).__name__}.{self.event}() must be called inside a "
                "`with porch.Blocks():` block."
            )
        if fn is _DECORATE:
            def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
                registry.register_event([(self.block, self.event)], func, inputs=inputs,
                                        outputs=outputs, **options)
                return func

            return decorate
        return registry.register_event(
            [(self.block, self.event)], fn, inputs=inputs, outputs=outputs, **options
        )

    def __repr__(self) -> str:
        return f"<{self.event} of {self.block!r}>"


class Component(Block):
    """A block that holds a value: converted from the wire (`preprocess`) for the app's
    function, and to the wire (`postprocess`) from what the function returns."""

    block_type = "component"
    # A component's value is kept when a render redraws it under the same key (Gradio's
    # default, which porch does); other choices, buttons porch does not draw, and Gradio's
    # internal load_fn are accepted and warned about.
    unhonoured_keywords = {"preserved_by_key": "value", "buttons": None, "load_fn": None}
    skip_api = False
    # JSON schema of the value on the wire, and the Python type name gradio_client prints.
    schema: dict[str, Any] = {}
    python_type = "Any"
    example: Any = None
    # Converting this component's values reads or writes files (or the network): the server
    # then converts off the event loop.
    does_io = False

    def __init__(
        self,
        value: Any = None,
        *,
        label: str | None = None,
        info: str | None = None,
        show_label: bool | None = None,
        interactive: bool | None = None,
        visible: bool = True,
        elem_id: str | None = None,
        elem_classes: Sequence[str] | str | None = None,
        scale: int | None = None,
        min_width: int | None = 160,
        container: bool = True,
        render: bool = True,
        key: Any = None,
        every: Any = None,
        inputs: Any = None,
        **gradio_only: Any,
    ) -> None:
        self.label = label
        self.info = info
        self.show_label = True if show_label is None else show_label
        self.interactive = interactive
        self.scale = scale
        self.min_width = min_width
        # False draws the component without its panel (no border, padding or background).
        self.container = container
        load = value if callable(value) and self.callable_value_loads else None
        self.value = None if load is not None else value
        super().__init__(
            visible=visible, elem_id=elem_id, elem_classes=elem_classes, render=render, key=key,
            **gradio_only,
        )
        if load is not None:
            self._load_value_from(load, inputs, every)
        elif every is not None or inputs is not None:
            raise ConfigError(f"{type(self).__name__}: every= and inputs= apply to a value "
                              "given as a function (value=lambda: ...).")

    # A function given as `value=` runs when a page opens (and on every tick of `every=`);
    # State takes a function as a factory of its initial value instead.
    callable_value_loads: ClassVar[bool] = True

    def _load_value_from(self, fn: Callable[..., Any], inputs: Any, every: Any) -> None:
        registry = current_registry.get()
        if registry is None:
            raise ConfigError(f"{type(self).__name__}(value=<function>) must be created inside "
                              "a `with porch.Blocks():` block: the function runs on page load.")
        app: Any = getattr(registry, "app", registry)  # a @render run's app, or the app
        registry.register_event([(app, "load")], fn, inputs=inputs, outputs=[self],
                                every=every, api_name=False, show_progress="hidden",
                                queue=False)

    # ---- values ---------------------------------------------------------------------------
    def preprocess(self, payload: Any, conversion: Conversion) -> Any:
        """Wire value -> the value the app's function receives."""
        return payload

    def postprocess(self, value: Any, conversion: Conversion) -> Any:
        """The function's return value -> wire value."""
        return value

    def initial_payload(self, conversion: Conversion | None = None) -> Any:
        """The value shown when the page loads."""
        return self.postprocess(self.value, conversion or Conversion())

    # ---- config and API info --------------------------------------------------------------
    def props(self, conversion: Conversion | None = None) -> dict[str, Any]:
        return {
            **super().props(conversion),
            "value": self.initial_payload(conversion),
            "label": self.label,
            "info": self.info,
            "show_label": self.show_label,
            "interactive": self.interactive,
            "scale": self.scale,
            "min_width": self.min_width,
            "container": self.container,
        }

    def config(self, conversion: Conversion | None = None) -> dict[str, Any]:
        entry = {
            "id": self.id,
            "type": self.block_type,
            "props": self.props(conversion),
            "skip_api": self.skip_api,
            "key": config_key(self.key),
        }
        if not self.skip_api:
            entry["api_info"] = self.schema
            entry["api_info_as_input"] = self.schema
            entry["api_info_as_output"] = self.schema
            entry["example_inputs"] = self.example
        return entry

    def api_parameter(self) -> dict[str, Any]:
        """How /info describes this component as a parameter or a return."""
        return {
            "label": self.label,
            "type": self.schema,
            "python_type": {"type": self.python_type, "description": ""},
            "component": type(self).__name__,
            "example_input": self.example,
        }
