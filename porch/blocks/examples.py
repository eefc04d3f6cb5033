"""`Examples`: sample inputs shown as a clickable table; clicking one fills the inputs.

With `cache_examples=True` every example is run once when the app starts serving and a click
shows the stored outputs at once; with `"lazy"` an example runs on its first click. Example
values pass through the components' own conversions, so a file in an example is a developer
file adopted through the gate (working directory, temp dir or allowed paths), like a returned
file.
"""

from __future__ import annotations

import inspect
import logging
import threading
from collections.abc import Callable, Sequence
from typing import Any

from porch.blocks.blocks import Blocks
from porch.blocks.events import Dependency, as_component_list
from porch.blocks.signature import signature_of
from porch.components.base import Component, Conversion, current_conversion, current_registry
from porch.components.dataset import Dataset
from porch.components.state import State
from porch.errors import ConfigError
from porch.unhonoured import unhonoured

log = logging.getLogger("porch.examples")


def call_to_end(fn: Callable[..., Any], args: list[Any], kwargs: dict[str, Any]) -> Any:
    """Call `fn` outside any event and return its final value (a generator's last yield)."""
    if inspect.iscoroutinefunction(fn) or inspect.isasyncgenfunction(fn):
        return _run_async(fn, args, kwargs)
    result = fn(*args, **kwargs)
    if inspect.isgenerator(result):
        last = None
        for value in result:
            last = value
        return last
    return result


def _run_async(fn: Callable[..., Any], args: list[Any], kwargs: dict[str, Any]) -> Any:
    # asyncio loads only when an async example is cached: `import porch` stays light.
    import asyncio

    async def run() -> Any:
        result = fn(*args, **kwargs)
        if inspect.isasyncgen(result):
            last = None
            async for value in result:
                last = value
            return last
        return await result

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(run())
    # Called from inside a running loop: a loop of its own in a helper thread.
    box: dict[str, Any] = {}

    def in_thread() -> None:
        try:
            box["value"] = asyncio.run(run())
        except BaseException as exc:  # handed to the caller below
            box["error"] = exc

    worker = threading.Thread(target=in_thread, name="porch-example")
    worker.start()
    worker.join()
    if "error" in box:
        raise box["error"]
    return box.get("value")


def _normalise(examples: Any, count: int) -> list[list[Any]]:
    if examples is None:
        return []
    if isinstance(examples, str):
        raise ConfigError("Examples from a directory are not supported; pass a list of lists.")
    rows = []
    for example in examples:
        if count == 1 and not isinstance(example, (list, tuple)):
            example = [example]
        if not isinstance(example, (list, tuple)):
            raise ConfigError(
                "Each example must be a list with one value per input, e.g. [[1, 2], [3, 4]]."
            )
        row = list(example)
        if len(row) > count:
            raise ConfigError(f"An example has {len(row)} values but there are {count} inputs.")
        rows.append(row + [None] * (count - len(row)))
    return rows


def _cache_mode(cache_examples: Any, cache_mode: str | None) -> str | None:
    if cache_examples == "lazy" or (cache_examples and cache_mode == "lazy"):
        return "lazy"
    if cache_examples:
        return "eager"
    return None


# Gradio keywords of Examples porch does not act on yet, with Gradio's defaults: warned once.
_UNHONOURED_EXAMPLES_OPTIONS: dict[str, Any] = {
    "preprocess": True, "postprocess": True, "api_visibility": "undocumented",
    "api_description": None, "batch": False, "visible_columns": None, "preload": 0,
}


class Examples:
    """Clickable example inputs for a set of components (in a Blocks or an Interface)."""

    @classmethod
    def all_unhonoured_keywords(cls) -> dict[str, Any]:
        """Gradio's keywords accepted and warned about (as blocks declare theirs)."""
        return dict(_UNHONOURED_EXAMPLES_OPTIONS)

    def __init__(
        self,
        examples: Sequence[Any] | None,
        inputs: Component | Sequence[Component],
        outputs: Component | Sequence[Component] | None = None,
        fn: Callable[..., Any] | None = None,
        cache_examples: bool | str | None = None,
        examples_per_page: int = 10,
        label: str | None = "Examples",
        elem_id: str | None = None,
        run_on_click: bool = False,
        cache_mode: str | None = None,
        example_labels: Sequence[str] | None = None,
        visible: bool = True,
        api_name: str | bool | None = None,
        **_gradio_options: Any,
    ) -> None:
        unknown = sorted(set(_gradio_options) - set(_UNHONOURED_EXAMPLES_OPTIONS))
        if unknown:
            raise TypeError(f"Examples() got unexpected keyword argument(s): {', '.join(unknown)}")
        unhonoured("Examples", _gradio_options,
                   {name: _UNHONOURED_EXAMPLES_OPTIONS[name] for name in _gradio_options})
        app = current_registry.get()
        if not isinstance(app, Blocks):
            raise ConfigError("porch.Examples must be created inside a `with porch.Blocks():`.")
        self.inputs = as_component_list(inputs, "inputs")
        self.outputs = as_component_list(outputs, "outputs")
        self.fn = fn
        self.examples = _normalise(examples, len(self.inputs))
        self.mode = _cache_mode(cache_examples, cache_mode)
        if self.mode and (fn is None or not self.outputs):
            raise ConfigError("cache_examples needs both fn= and outputs= on Examples.")
        self.cached: dict[int, list[Any]] = {}
        self._lock = threading.Lock()
        self._app = app
        self.dataset = Dataset(
            components=self.inputs, samples=self.examples, label=label,
            samples_per_page=examples_per_page, sample_labels=example_labels, elem_id=elem_id,
            visible=visible, type="index",
        )
        cached = self.mode is not None
        self.load_event = app.register_event(
            [(self.dataset, "click")], self._load, inputs=[self.dataset],
            outputs=[*self.inputs, *self.outputs] if cached else self.inputs,
            api_name="load_example", api_visibility="undocumented", show_progress="hidden",
        )
        self.run_event: Dependency | None = None
        if run_on_click and fn is not None and not cached:
            self.run_event = self.load_event.then(fn, inputs=self.inputs, outputs=self.outputs,
                                                  api_visibility="undocumented")
        if self.mode == "eager":
            app.startup_hooks.append(self.cache_all)

    # ---- clicking ---------------------------------------------------------------------------
    def _load(self, index: int | None) -> Any:
        if index is None:
            raise ConfigError("No example was chosen.")
        values = list(self.examples[index])
        if self.mode is not None:
            values += self._outputs_for(index)
        return values[0] if len(values) == 1 else values

    def _outputs_for(self, index: int) -> list[Any]:
        with self._lock:
            if index in self.cached:
                return self.cached[index]
        conversion = current_conversion.get()
        if conversion is None:
            raise ConfigError("Examples can only be run while the app is served.")
        outputs = self._run(index, conversion)
        with self._lock:
            self.cached[index] = outputs
        return outputs

    # ---- caching ----------------------------------------------------------------------------
    def cache_all(self, conversion: Conversion) -> None:
        """Run every example now (the server calls this before it serves)."""
        for index in range(len(self.examples)):
            if index not in self.cached:
                self.cached[index] = self._run(index, conversion)
        log.info("cached %d example(s)", len(self.examples))

    def _run(self, index: int, conversion: Conversion) -> list[Any]:
        """The example's outputs, as the function returned them, after a round trip of its
        inputs through their components (so the function gets what a click would send)."""
        assert self.fn is not None
        dep = self._event_for_run()
        payloads = [None if isinstance(c, State) else c.postprocess(v, conversion)
                    for c, v in zip(self.inputs, self.examples[index], strict=True)]
        args, kwargs = self._app.prepare_inputs(dep, payloads, {}, conversion)
        result = call_to_end(self.fn, args, kwargs)
        count = len(self.outputs)
        if count == 1:
            return [result]
        if not isinstance(result, (list, tuple)) or len(result) != count:
            raise ConfigError(
                f"Example {index + 1}: {getattr(self.fn, '__name__', 'fn')} must return "
                f"{count} values for the {count} outputs."
            )
        return list(result)

    def _event_for_run(self) -> Dependency:
        # A stand-in event for the function, so its inputs bind exactly as a real call's do.
        return Dependency(id=-1, app=self._app, fn=self.fn, targets=[], inputs=self.inputs,
                          outputs=list(self.outputs), api_name="example",
                          signature=signature_of(self.fn))
