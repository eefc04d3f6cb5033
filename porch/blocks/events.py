"""Events: what runs when a block fires (`Dependency`), and how it shows in the config."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from porch.blocks.signature import Signature
from porch.components.base import (
    Block,
    BoundListener,
    Component,
    EventRegistry,
    current_registry,
)
from porch.engines.base import Engine
from porch.errors import ConfigError

DEFAULT = "default"


@dataclass(eq=False)
class Dependency:
    """One event handler: `fn(*inputs) -> outputs`, fired by `targets`."""

    id: int
    app: EventRegistry  # the app, or the `@render` run that defined this event
    fn: Callable[..., Any] | None
    targets: list[tuple[int, str]]
    inputs: list[Component]
    outputs: list[Block]  # components, or layouts that the event shows, hides or opens
    api_name: str
    api_visibility: str = "public"
    api_description: str | None = None
    # porch's own: only a logged-in user may run it (porch/server/event_access.py).
    requires_login: bool = False
    # porch's own: on a cluster, never run again on another replica after the one running
    # it was lost (the event fails instead; docs/cluster.md).
    at_most_once: bool = False
    concurrency_limit: int | None | str = DEFAULT
    concurrency_id: str | None = None
    queue: bool = True
    show_progress: str = "full"
    trigger_mode: str = "once"
    js: str | None = None
    scroll_to_output: bool = False
    trigger_after: int | None = None
    trigger_only_on_success: bool = False
    trigger_only_on_failure: bool = False
    cancels: list[int] = field(default_factory=list)
    is_generator: bool = False
    # Waiting calls taken together, up to max_batch_size: fn gets one list per input.
    batch: bool = False
    max_batch_size: int = 4
    time_limit: float | None = None  # seconds; a run that takes longer fails
    # False: the function gets the inputs' wire payloads / returns its outputs' payloads
    # (files in them still pass the gate when served or flagged).
    preprocess: bool = True
    postprocess: bool = True
    # "stream": fired by a component's `stream` event, the run stays open and takes a new
    # input chunk (POST stream/{event_id}) every `stream_every` seconds; `time_limit` then
    # bounds the whole stream.
    connection: str = "sse"
    stream_every: float = 0.5
    signature: Signature = field(default_factory=Signature)
    # Checks the inputs when the event joins (porch.server.validation): porch.validate(...)
    # per input; an invalid one stops the event before it is queued.
    validator: Callable[..., Any] | None = None
    # Where fn runs: here, or on a Dask/Ray cluster (porch.engines; the rest stays here).
    engine: Engine | None = None
    render_id: int | None = None  # this event runs the `@render` with this id
    rendered_in: int | None = None  # this event was defined by a run of that `@render`

    @property
    def concurrency_key(self) -> str:
        return self.concurrency_id or f"fn:{self.id}"

    def then(self, fn: Callable[..., Any] | None, inputs: Any = None, outputs: Any = None,
             **options: Any) -> Dependency:
        """Run `fn` after this event finishes, whatever its outcome."""
        return self._after(fn, inputs, outputs, options)

    def success(self, fn: Callable[..., Any] | None, inputs: Any = None, outputs: Any = None,
                **options: Any) -> Dependency:
        """Run `fn` after this event finishes without error."""
        return self._after(fn, inputs, outputs, {**options, "trigger_only_on_success": True})

    def failure(self, fn: Callable[..., Any] | None, inputs: Any = None, outputs: Any = None,
                **options: Any) -> Dependency:
        """Run `fn` after this event fails."""
        return self._after(fn, inputs, outputs, {**options, "trigger_only_on_failure": True})

    def _after(self, fn: Callable[..., Any] | None, inputs: Any, outputs: Any,
               options: dict[str, Any]) -> Dependency:
        dep: Dependency = self.app.register_event([], fn, inputs=inputs, outputs=outputs,
                                                  trigger_after=self.id, **options)
        return dep

    def config(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "targets": [list(t) for t in self.targets],
            "inputs": [c.id for c in self.inputs],
            "outputs": [c.id for c in self.outputs],
            "backend_fn": self.fn is not None,
            "js": self.js,
            "queue": self.queue,
            "api_name": self.api_name,
            "api_description": self.api_description,
            "scroll_to_output": self.scroll_to_output,
            "show_progress": self.show_progress,
            "batch": self.batch,
            "max_batch_size": self.max_batch_size,
            "cancels": self.cancels,
            # "cancel": this event only cancels others (it runs nothing itself).
            "types": {"generator": self.is_generator,
                      "cancel": bool(self.cancels) and self.fn is None},
            "collects_event_data": self.signature.collects_event_data,
            "trigger_after": self.trigger_after,
            "trigger_only_on_success": self.trigger_only_on_success,
            "trigger_only_on_failure": self.trigger_only_on_failure,
            "trigger_mode": self.trigger_mode,
            "api_visibility": self.api_visibility,
            "requires_login": self.requires_login,
            "connection": self.connection,
            "time_limit": self.time_limit,
            "stream_every": self.stream_every,
            "render_id": self.render_id,
            "rendered_in": self.rendered_in,
        }


_DECORATE: Any = object()


def on(triggers: Any = None, fn: Callable[..., Any] | None = _DECORATE, inputs: Any = None,
       outputs: Any = None, **options: Any) -> Any:
    """One event fired by several triggers: `porch.on([box.submit, go.click], fn, ...)`.

    `triggers=None` fires it when the page loads and whenever an input changes. Without
    `fn`, it decorates a function. Options are those of any listener.
    """
    registry = current_registry.get()
    if registry is None:
        raise ConfigError("porch.on() must be called inside a `with porch.Blocks():` block.")
    if triggers is None:
        app: Any = getattr(registry, "app", registry)  # inside a @render: the app itself
        targets: list[tuple[Block, str]] = [(app, "load")]
        targets += [(c, "change") for c in as_component_list(inputs, "inputs")]
    else:
        listeners = triggers if isinstance(triggers, (list, tuple)) else [triggers]
        for listener in listeners:
            if not isinstance(listener, BoundListener):
                raise ConfigError("triggers must be listeners such as `button.click` or "
                                  f"`textbox.submit`, got {listener!r}.")
        targets = [(listener.block, listener.event) for listener in listeners]
    if fn is _DECORATE:
        def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
            registry.register_event(targets, func, inputs=inputs, outputs=outputs, **options)
            return func

        return decorate
    return registry.register_event(targets, fn, inputs=inputs, outputs=outputs, **options)


def as_component_list(value: Any, role: str) -> list[Component]:
    """Normalise `inputs=`/`outputs=` (None, one component, or a sequence of them)."""
    if value is None:
        return []
    items = list(value) if isinstance(value, (list, tuple, set)) else [value]
    for item in items:
        if not isinstance(item, Component):
            kind = "a layout" if isinstance(item, Block) else repr(item)
            raise TypeError(f"{role} must be components, got {kind}")
    return items


def as_output_list(value: Any) -> list[Block]:
    """Normalise `outputs=`: components, or layouts (an event may update their props)."""
    if value is None:
        return []
    items = list(value) if isinstance(value, (list, tuple, set)) else [value]
    for item in items:
        if not isinstance(item, Block):
            raise TypeError(f"outputs must be components or layouts, got {item!r}")
    return items


def is_generator(fn: Callable[..., Any]) -> bool:
    """Whether calling `fn` streams (a sync or async generator), looking through partials
    and callable objects."""
    target: Any = inspect.unwrap(fn)
    while hasattr(target, "func"):  # functools.partial
        target = target.func
    call = getattr(type(target), "__call__", None)  # noqa: B004 - callable objects
    return any(
        inspect.isgeneratorfunction(f) or inspect.isasyncgenfunction(f)
        for f in (target, call)
        if f is not None
    )


def default_trigger_mode(targets: list[tuple[Block, str]]) -> str:
    # As in Gradio: value-following events keep the last trigger (fast typing must not drop
    # the final keystroke); clicks and submits ignore repeats while running.
    if targets and all(event in ("change", "input") for _, event in targets):
        return "always_last"
    return "once"


def check_queue_options(concurrency_limit: Any, time_limit: Any, batch: bool,
                         max_batch_size: Any) -> None:
    if not (concurrency_limit is None or concurrency_limit == DEFAULT or (
            isinstance(concurrency_limit, int) and not isinstance(concurrency_limit, bool)
            and concurrency_limit >= 1)):
        raise ConfigError("concurrency_limit must be a positive int, None (no limit) or "
                          f"'default', got {concurrency_limit!r}.")
    if time_limit is not None and (isinstance(time_limit, bool) or
                                   not isinstance(time_limit, (int, float)) or time_limit <= 0):
        raise ConfigError(f"time_limit must be a positive number of seconds, got {time_limit!r}.")
    if batch and (isinstance(max_batch_size, bool) or not isinstance(max_batch_size, int)
                  or max_batch_size < 1):
        raise ConfigError(f"max_batch_size must be a positive int, got {max_batch_size!r}.")


# Options of Gradio's event listeners porch does not act on yet, with Gradio's defaults:
# given another value, each warns once (porch.unhonoured). Gradio's older spellings too.
UNHONOURED_EVENT_OPTIONS: dict[str, Any] = {
    "show_progress_on": None,
    "key": None, "inputs_kwargs": None, "like_user_message": False,
    "show_api": True, "api_description_from_docstring": True,
}
# Every keyword an event listener takes besides fn/inputs/outputs, with its default: Gradio's
# listener signature (tests/unit/test_gradio_surface.py holds porch to it).
EVENT_KEYWORDS: dict[str, Any] = {
    "api_name": None, "api_description": None, "api_visibility": "public",
    "scroll_to_output": False, "show_progress": "full", "queue": True, "batch": False,
    "max_batch_size": 4, "cancels": None, "trigger_mode": None, "js": None,
    "concurrency_limit": "default", "concurrency_id": None, "time_limit": None,
    "trigger_after": None, "trigger_only_on_success": False,
    "trigger_only_on_failure": False, "every": None, "preprocess": True, "postprocess": True,
    "stream_every": 0.5, "validator": None,
    # porch's own (not Gradio's): the event runs only for a logged-in user.
    "requires_login": False,
    # porch's own: never delivered twice on a cluster, even when a replica is lost.
    "at_most_once": False,
    **UNHONOURED_EVENT_OPTIONS,
}
