"""`Blocks`: an app's tree of blocks and its events, and the config that describes them.

Sans-IO: this module builds the config and the API description, and converts values between
the wire and the app's functions, but never serves. `launch()` hands the app to
`porch.server` (the one place this layer reaches upward, as Flask's `run` does).
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from contextvars import Token
from typing import Any

from porch import protocol
from porch.blocks.events import DEFAULT, Dependency, as_component_list, is_generator
from porch.blocks.layout import Layout
from porch.components.base import (
    Block,
    Conversion,
    EventRegistry,
    current_registry,
)
from porch.components.state import State
from porch.errors import ConfigError, InvalidRequest
from porch.version import __version__

# Options of Gradio's event listeners that change nothing in porch yet; accepted so apps run.
_IGNORED_EVENT_OPTIONS = frozenset(
    {"preprocess", "postprocess", "batch", "max_batch_size", "every", "time_limit",
     "stream_every", "show_progress_on", "key", "validator", "like_user_message",
     "show_api", "api_description_from_docstring"}
)


class Blocks(Layout):
    """An app: `with Blocks() as demo:` places blocks and wires events; `demo.launch()`."""

    block_type = "blocks"

    def __init__(
        self,
        title: str = "porch",
        *,
        css: str | None = None,
        theme: Any = None,
        js: str | None = None,
        head: str | None = None,
        fill_height: bool = False,
        fill_width: bool = False,
        delete_cache: tuple[float, float] | None = None,
        analytics_enabled: bool | None = None,
        mode: str = "blocks",
    ) -> None:
        self.title = title
        self.css = css
        self.theme = theme
        self.js = js
        self.head = head
        self.fill_height = fill_height
        self.fill_width = fill_width
        self.delete_cache = delete_cache
        self.mode = mode
        self.blocks: dict[int, Block] = {}
        self.dependencies: list[Dependency] = []
        self.default_concurrency_limit: int | None = 1
        self.max_queue_size: int | None = None
        self.server: Any = None  # set by launch(): porch.server.serve.Server
        self._registry_tokens: list[Token[EventRegistry | None]] = []
        super().__init__(render=False)

    # ---- building -------------------------------------------------------------------------
    def __enter__(self) -> Blocks:
        super().__enter__()
        self._registry_tokens.append(current_registry.set(self))
        return self

    def __exit__(self, *exc: object) -> None:
        current_registry.reset(self._registry_tokens.pop())
        super().__exit__(*exc)

    def add_block(self, block: Block) -> None:
        self.blocks[block.id] = block

    def add_child(self, block: Block) -> None:
        super().add_child(block)
        self.add_block(block)

    def register_event(
        self,
        targets: list[tuple[Block, str]],
        fn: Callable[..., Any] | None,
        *,
        inputs: Any = None,
        outputs: Any = None,
        api_name: str | None | bool = None,
        api_visibility: str | None = None,
        api_description: str | None = None,
        concurrency_limit: int | None | str = DEFAULT,
        concurrency_id: str | None = None,
        queue: bool = True,
        show_progress: str = "full",
        trigger_mode: str | None = None,
        js: str | None = None,
        scroll_to_output: bool = False,
        trigger_after: int | None = None,
        trigger_only_on_success: bool = False,
        trigger_only_on_failure: bool = False,
        cancels: Any = None,
        **options: Any,
    ) -> Dependency:
        unknown = set(options) - _IGNORED_EVENT_OPTIONS
        if unknown:
            raise TypeError(f"unknown event option(s): {', '.join(sorted(unknown))}")
        if options.get("show_api") is False and api_visibility is None:
            api_visibility = "undocumented"
        if api_name is False:
            api_visibility = api_visibility or "private"
            api_name = None
        for block, _ in targets:
            self.add_block(block)
        inputs_list = as_component_list(inputs, "inputs")
        outputs_list = as_component_list(outputs, "outputs")
        for component in (*inputs_list, *outputs_list):
            self.add_block(component)
        cancel_ids = [d.id for d in (cancels if isinstance(cancels, list) else [cancels])
                      if isinstance(d, Dependency)] if cancels is not None else []
        dependency = Dependency(
            id=len(self.dependencies),
            app=self,
            fn=fn,
            targets=[(block.id, event) for block, event in targets],
            inputs=inputs_list,
            outputs=outputs_list,
            api_name=self._unique_api_name(api_name, fn),
            api_visibility=api_visibility or "public",
            api_description=api_description,
            concurrency_limit=concurrency_limit,
            concurrency_id=concurrency_id,
            queue=queue,
            show_progress=show_progress,
            trigger_mode=trigger_mode or _default_trigger_mode(targets),
            js=js,
            scroll_to_output=scroll_to_output,
            trigger_after=trigger_after,
            trigger_only_on_success=trigger_only_on_success,
            trigger_only_on_failure=trigger_only_on_failure,
            cancels=cancel_ids,
            is_generator=fn is not None and is_generator(fn),
        )
        self.dependencies.append(dependency)
        return dependency

    def _unique_api_name(self, wanted: str | None | bool, fn: Callable[..., Any] | None) -> str:
        if isinstance(wanted, str) and wanted:
            base = wanted.lstrip("/")
        else:
            name = getattr(fn, "__name__", None) or "fn"
            base = "predict" if name == "<lambda>" else name
        base = re.sub(r"[^A-Za-z0-9_\-]", "_", base) or "fn"
        taken = {d.api_name for d in self.dependencies}
        name, n = base, 0
        while name in taken:
            n += 1
            name = f"{base}_{n}"
        return name

    def queue(
        self,
        default_concurrency_limit: int | None | str = 1,
        max_size: int | None = None,
        **_gradio_options: Any,
    ) -> Blocks:
        """Set the queue's defaults (every event already runs through the queue)."""
        if default_concurrency_limit == DEFAULT:
            default_concurrency_limit = 1
        if default_concurrency_limit is not None and not isinstance(default_concurrency_limit,
                                                                    int):
            raise ConfigError("default_concurrency_limit must be an int, None or 'default'")
        self.default_concurrency_limit = default_concurrency_limit
        self.max_queue_size = max_size
        return self

    # ---- describing -----------------------------------------------------------------------
    def dependency(self, fn_index: int | None = None, api_name: str | None = None) -> Dependency:
        """The event named by `fn_index` or `api_name`; InvalidRequest (4xx) if none is."""
        if fn_index is not None:
            if isinstance(fn_index, int) and 0 <= fn_index < len(self.dependencies):
                return self.dependencies[fn_index]
            raise InvalidRequest(f"No function with fn_index {fn_index!r}.", 404)
        name = (api_name or "").lstrip("/")
        for dep in self.dependencies:
            if dep.api_name == name:
                return dep
        raise InvalidRequest(f"No API endpoint named /{name}.", 404)

    def concurrency_limit_of(self, dep: Dependency) -> int | None:
        limit = dep.concurrency_limit
        if limit == DEFAULT:
            return self.default_concurrency_limit
        return limit if isinstance(limit, int) or limit is None else 1

    def needs_heartbeat(self) -> bool:
        return any(isinstance(b, State) for b in self.blocks.values())

    def config(self, conversion: Conversion | None = None) -> dict[str, Any]:
        """The app part of `/config` (the server adds root, limits and the like).

        `conversion` turns initial file values into served files (the server passes it)."""
        return {
            "version": protocol.GRADIO_VERSION,
            "porch_version": __version__,
            "api_prefix": protocol.API_PREFIX,
            "protocol": protocol.PROTOCOL,
            "mode": self.mode,
            "title": self.title,
            "css": self.css,
            "js": self.js,
            "head": self.head,
            "theme": self.theme if isinstance(self.theme, str) else "default",
            "fill_height": self.fill_height,
            "fill_width": self.fill_width,
            "enable_queue": True,
            "connect_heartbeat": self.needs_heartbeat(),
            "dev_mode": False,
            "analytics_enabled": False,
            "is_colab": False,
            "stylesheets": [],
            "footer_links": ["api"],
            "components": [block.config(conversion) for block in self.blocks.values()],
            "layout": self.layout(),
            "dependencies": [dep.config() for dep in self.dependencies],
        }

    def api_info(self, all_endpoints: bool = False) -> dict[str, Any]:
        """`/info`: every public endpoint's parameters and returns."""
        shown = {"public", "undocumented"} if all_endpoints else {"public"}
        named: dict[str, Any] = {}
        for dep in self.dependencies:
            if dep.fn is None or dep.api_visibility not in shown:
                continue
            named["/" + dep.api_name] = {
                "parameters": self._parameters(dep),
                "returns": [
                    {k: v for k, v in c.api_parameter().items() if k != "example_input"}
                    for c in dep.outputs
                    if not c.skip_api
                ],
                "api_visibility": dep.api_visibility,
                "description": dep.api_description or "",
            }
        return {"named_endpoints": named, "unnamed_endpoints": {}}

    def _parameters(self, dep: Dependency) -> list[dict[str, Any]]:
        params = _positional_parameters(dep.fn)
        described = []
        for index, component in enumerate(dep.inputs):
            if component.skip_api:
                continue
            param = params[index] if index < len(params) else None
            entry = component.api_parameter()
            initial = component.initial_payload()
            has_default = initial is not None
            default = initial
            if not has_default and param is not None and param.default is not param.empty:
                has_default, default = True, param.default
            entry["parameter_name"] = param.name if param is not None else (
                component.label or f"param_{index}")
            entry["parameter_has_default"] = has_default
            entry["parameter_default"] = default if _is_json(default) else None
            described.append(entry)
        return described

    # ---- converting values ----------------------------------------------------------------
    def prepare_inputs(self, dep: Dependency, data: list[Any], state: dict[int, Any],
                       conversion: Conversion) -> list[Any]:
        """Wire values -> the arguments of `dep.fn`. State slots come from the session."""
        if not isinstance(data, list):
            raise InvalidRequest("'data' must be a list.", 422)
        visible = [c for c in dep.inputs if not c.skip_api]
        if len(data) == len(visible) < len(dep.inputs):
            # Plain-HTTP callers may leave out the State slots (PROTOCOL §4.1).
            filled = iter(data)
            data = [None if c.skip_api else next(filled) for c in dep.inputs]
        if len(data) < len(dep.inputs):
            raise InvalidRequest(
                f"/{dep.api_name} takes {len(dep.inputs)} input(s), got {len(data)}.", 422)
        args = []
        for component, payload in zip(dep.inputs, data, strict=False):
            if isinstance(component, State):
                if component.id not in state:
                    state[component.id] = component.fresh_value()
                args.append(state[component.id])
            else:
                args.append(component.preprocess(payload, conversion))
        return args

    def finish_outputs(self, dep: Dependency, result: Any, state: dict[int, Any],
                       conversion: Conversion) -> list[Any]:
        """The return value of `dep.fn` -> one wire value per output (None for State)."""
        count = len(dep.outputs)
        if count == 0:
            values: list[Any] = []
        elif count == 1:
            values = [result]
        elif isinstance(result, (list, tuple)) and len(result) == count:
            values = list(result)
        else:
            got = len(result) if isinstance(result, (list, tuple)) else 1
            raise ValueError(
                f"{getattr(dep.fn, '__name__', 'The function')} returned {got} value(s) "
                f"but /{dep.api_name} has {count} outputs."
            )
        payloads: list[Any] = []
        for component, value in zip(dep.outputs, values, strict=False):
            if isinstance(component, State):
                state[component.id] = value
                payloads.append(None)
            else:
                payloads.append(component.postprocess(value, conversion))
        return payloads

    # ---- serving --------------------------------------------------------------------------
    def launch(self, **options: Any) -> tuple[Any, str, str | None]:
        """Serve the app (see `porch.server.serve.launch` for the options).

        Blocks in a script until Ctrl-C; returns at once with `prevent_thread_lock=True`.
        Returns `(asgi_app, local_url, share_url)`.
        """
        from porch.server.serve import launch

        return launch(self, **options)

    def close(self) -> None:
        """Stop the server started by `launch()`."""
        if self.server is not None:
            self.server.stop()
            self.server = None

    @property
    def local_url(self) -> str | None:
        return None if self.server is None else self.server.url


def _default_trigger_mode(targets: list[tuple[Block, str]]) -> str:
    # As in Gradio: value-following events keep the last trigger (fast typing must not drop
    # the final keystroke); clicks and submits ignore repeats while running.
    if targets and all(event in ("change", "input") for _, event in targets):
        return "always_last"
    return "once"


def _positional_parameters(fn: Callable[..., Any] | None) -> list[inspect.Parameter]:
    if fn is None:
        return []
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError):
        return []
    return [p for p in signature.parameters.values()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]


def _is_json(value: Any) -> bool:
    return value is None or isinstance(value, (str, int, float, bool, list, dict))

