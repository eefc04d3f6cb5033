"""`Blocks`: an app's tree of blocks and its events, and the config that describes them.

Sans-IO: this module builds the config and the API description, and converts values between
the wire and the app's functions, but never serves. `launch()` hands the app to the server
that `serve_with` named: porch/__init__.py names porch.server's, so this layer never imports
the one above it.
"""

from __future__ import annotations

import itertools
import re
import weakref
from collections.abc import Callable, MutableMapping
from contextvars import Token
from pathlib import Path
from typing import Any

from porch import protocol
from porch.blocks.api_description import api_description
from porch.blocks.context import EventContext
from porch.blocks.events import (
    DEFAULT,
    UNHONOURED_EVENT_OPTIONS,
    Dependency,
    as_component_list,
    as_output_list,
    check_queue_options,
    default_trigger_mode,
    is_generator,
)
from porch.blocks.layout import Layout
from porch.blocks.pages import Pages
from porch.blocks.signature import signature_of
from porch.blocks.themes import theme_css, theme_name
from porch.blocks.wire_values import convert_inputs, finish_outputs
from porch.caching import uses_session_caches
from porch.components.base import (
    Block,
    Conversion,
    EventRegistry,
    current_registry,
)
from porch.components.i18n import I18n
from porch.components.state import State
from porch.components.timer import Timer
from porch.engines import engine_of
from porch.errors import ConfigError, InvalidRequest
from porch.unhonoured import unhonoured
from porch.version import __version__

Launcher = Callable[..., tuple[Any, str, str | None]]
_launcher: Launcher | None = None
_launched: weakref.WeakSet[Blocks] = weakref.WeakSet()  # apps serving now (close_all)


def close_all(verbose: bool = True) -> None:
    """Stop every app this process launched (Gradio's `gr.close_all()`)."""
    for app in list(_launched):
        if app.server is not None:
            if verbose:
                print(f"Closing server running on {app.local_url}")
            app.close()


def serve_with(launcher: Launcher) -> None:
    """Name the function `Blocks.launch()` hands an app to: `launcher(blocks, **options)`."""
    global _launcher
    _launcher = launcher


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
        css_paths: str | Path | list[str | Path] | None = None,
        head_paths: str | Path | list[str | Path] | None = None,
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
        self.css_paths = css_paths
        self.head_paths = head_paths
        theme_name(theme)  # a wrong theme fails here, where the app names it
        self.fill_height = fill_height
        self.fill_width = fill_width
        self.delete_cache = delete_cache
        self.mode = mode
        self.blocks: dict[int, Block] = {}
        self.dependencies: list[Dependency] = []
        self.default_concurrency_limit: int | None = 1
        self.max_queue_size: int | None = None
        self.server: Any = None  # set by launch(): porch.server.serve.Server
        # Called by the server with the app's Conversion before it serves (examples caching).
        self.startup_hooks: list[Callable[[Conversion], None]] = []
        self._registry_tokens: list[Token[EventRegistry | None]] = []
        self._rendered_ids: itertools.count[int] | None = None
        self._pages = Pages()
        self.block_page: dict[int, str] = {}  # block id -> the page it was placed on
        self.dependency_page: dict[int, str] = {}
        self.i18n_instance: I18n | None = None  # launch(i18n=): tables for the page
        super().__init__(render=False)

    @property
    def pages(self) -> list[tuple[str, str, bool]]:
        """`(path, name, show_in_navbar)` of each page, home first (path "")."""
        return self._pages.pages

    @property
    def current_page(self) -> str:
        return self._pages.current

    def route(self, name: str, path: str | None = None, show_in_navbar: bool = True
              ) -> Blocks:
        """A new page, `with demo.route("Settings"):` placing what follows on it, served at
        `/<path>` (by default the name in lower case, hyphens for spaces)."""
        if current_registry.get() is not None:
            raise ConfigError("route() cannot be called inside a Blocks() context: call it "
                              "after the `with gr.Blocks() as demo:` block (unindent it).")
        self._pages.add(name, path, show_in_navbar)
        return self

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
        self.block_page.setdefault(block.id, self._pages.current)

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
        batch: bool = False,
        max_batch_size: int = 4,
        time_limit: float | None = None,
        stream_every: float = 0.5,
        every: float | Timer | None = None,
        preprocess: bool = True,
        postprocess: bool = True,
        validator: Callable[..., Any] | None = None,
        engine: Any = None,
        requires_login: bool = False,
        at_most_once: bool = False,
        scope: Any = None,
        **options: Any,
    ) -> Dependency:
        """Add an event (what listeners call). `scope` is the `@render` run defining it: the
        event and its new blocks then belong to that run (fresh ids), not to the app."""
        sink: Any = scope if scope is not None else self
        unknown = set(options) - set(UNHONOURED_EVENT_OPTIONS)
        if unknown:
            raise TypeError(f"unknown event option(s): {', '.join(sorted(unknown))}")
        unhonoured("event listener", options,
                   {name: UNHONOURED_EVENT_OPTIONS[name] for name in options})
        check_queue_options(concurrency_limit, time_limit, batch, max_batch_size)
        if every is not None:
            # `every=`: the event also runs on a Timer's tick while the page is open (a Timer
            # given is used as it is, so the app can stop or change it).
            timer = every if isinstance(every, Timer) else Timer(every, render=False)
            self.add_block(timer)
            targets = [*targets, (timer, "tick")]
        if options.get("show_api") is False and api_visibility is None:
            api_visibility = "undocumented"
        if api_name is False:
            api_visibility = api_visibility or "private"
            api_name = None
        for block, _ in targets:
            if block is not self:  # load/unload target the app itself
                sink.add_block(block)
        inputs_list = as_component_list(inputs, "inputs")
        outputs_list = as_output_list(outputs)
        if batch and any(isinstance(c, State) for c in (*inputs_list, *outputs_list)):
            raise ConfigError("A batch=True event cannot read or write a State: its calls "
                              "come from different sessions.")
        for component in (*inputs_list, *outputs_list):
            sink.add_block(component)
        cancel_ids = [d.id for d in (cancels if isinstance(cancels, list) else [cancels])
                      if isinstance(d, Dependency)] if cancels is not None else []
        dependency = Dependency(
            id=len(self.dependencies) if scope is None else self.rendered_event_id(),
            app=sink,
            fn=fn,
            targets=[(block.id, event) for block, event in targets],
            inputs=inputs_list,
            outputs=outputs_list,
            api_name=self._unique_api_name(api_name, fn, scope),
            api_visibility=api_visibility or "public",
            api_description=api_description,
            requires_login=bool(requires_login),
            at_most_once=bool(at_most_once),
            concurrency_limit=concurrency_limit,
            concurrency_id=concurrency_id,
            queue=queue,
            show_progress=show_progress,
            trigger_mode=trigger_mode or default_trigger_mode(targets),
            js=js,
            scroll_to_output=scroll_to_output,
            trigger_after=trigger_after,
            trigger_only_on_success=trigger_only_on_success,
            trigger_only_on_failure=trigger_only_on_failure,
            cancels=cancel_ids,
            is_generator=fn is not None and is_generator(fn),
            batch=batch,
            max_batch_size=max_batch_size,
            time_limit=time_limit,
            preprocess=preprocess,
            postprocess=postprocess,
            connection="stream" if any(e == "stream" for _, e in targets) else "sse",
            stream_every=stream_every,
            signature=signature_of(fn),
            validator=validator,
            engine=engine_of(fn, engine),
        )
        if batch and dependency.is_generator:
            raise ConfigError("A batch=True event cannot be a generator.")
        sink.dependencies.append(dependency)
        if scope is None:
            self.dependency_page[dependency.id] = self._pages.current
        return dependency

    def rendered_event_id(self) -> int:
        """A fresh id for an event a `@render` defines, past those of the app's events."""
        if self._rendered_ids is None:
            self._rendered_ids = itertools.count(len(self.dependencies))
        return next(self._rendered_ids)

    def _unique_api_name(self, wanted: str | None | bool, fn: Callable[..., Any] | None,
                         scope: Any = None) -> str:
        if isinstance(wanted, str) and wanted:
            base = wanted.lstrip("/")
        else:
            name = getattr(fn, "__name__", None) or "fn"
            base = "predict" if name == "<lambda>" else name
        base = re.sub(r"[^A-Za-z0-9_\-]", "_", base) or "fn"
        taken = {d.api_name for d in self.dependencies}
        if scope is not None:
            taken |= {d.api_name for d in scope.dependencies}
        name, n = base, 0
        while name in taken:
            n += 1
            name = f"{base}_{n}"
        return name

    def load(self, fn: Callable[..., Any] | None, inputs: Any = None, outputs: Any = None,
             **options: Any) -> Dependency:
        """Run `fn` when a page opens the app (and, with `every=seconds`, again on a timer
        while it stays open)."""
        return self.register_event([(self, "load")], fn, inputs=inputs, outputs=outputs,
                                   **options)

    def unload(self, fn: Callable[[], Any]) -> Dependency:
        """Run `fn()` on the server when a page's session ends (its heartbeat stops: the
        tab was closed or reloaded). Its result is not used."""
        return self.register_event([(self, "unload")], fn, api_name=None,
                                   api_visibility="private", show_progress="hidden")

    def queue(
        self,
        status_update_rate: float | str = "auto",
        api_open: bool | None = None,
        max_size: int | None = None,
        default_concurrency_limit: int | None | str = 1,
    ) -> Blocks:
        """Set the queue's defaults (every event already runs through the queue).

        Queue positions are sent as they change ("auto"); `status_update_rate=` seconds and
        `api_open=` (the queue is always open to the API, behind the same guard) are
        accepted for Gradio's sake and warn when set.
        """
        unhonoured("Blocks.queue()", {"status_update_rate": status_update_rate,
                                      "api_open": api_open},
                   {"status_update_rate": "auto", "api_open": None})
        if default_concurrency_limit in (DEFAULT, "not_set"):
            default_concurrency_limit = 1
        if default_concurrency_limit is not None and (
                not isinstance(default_concurrency_limit, int)
                or isinstance(default_concurrency_limit, bool) or default_concurrency_limit < 1):
            raise ConfigError("default_concurrency_limit must be a positive int, None or "
                              f"'default', got {default_concurrency_limit!r}.")
        if max_size is not None and (not isinstance(max_size, int) or isinstance(max_size, bool)
                                     or max_size < 0):
            raise ConfigError(f"max_size must be an int >= 0 or None, got {max_size!r}.")
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
        """How many runs of `dep`'s concurrency group may run at once (None: no limit).

        Events that share a `concurrency_id` share the smallest limit any of them sets, so
        the answer does not depend on which event happened to run first."""
        if dep.concurrency_id is None:
            return self._limit(dep)
        limits = [self._limit(d) for d in self.dependencies
                  if d.concurrency_id == dep.concurrency_id]
        bounded = [limit for limit in limits if limit is not None]
        return min(bounded) if bounded else None

    def _limit(self, dep: Dependency) -> int | None:
        limit = dep.concurrency_limit
        if limit == DEFAULT:
            return self.default_concurrency_limit
        return limit if isinstance(limit, int) or limit is None else 1

    def unload_events(self) -> list[Dependency]:
        return [d for d in self.dependencies if (self.id, "unload") in d.targets]

    def needs_heartbeat(self) -> bool:
        # The server learns that a page left only from its heartbeat stream ending.
        return bool(self.unload_events()) or any(
            isinstance(b, State) for b in self.blocks.values()) or any(
            uses_session_caches(d.fn) for d in self.dependencies if d.fn is not None)

    def config(self, conversion: Conversion | None = None) -> dict[str, Any]:
        """The app part of `/config` (the server adds root, limits and the like).

        `conversion` turns initial file values into served files (the server passes it)."""
        layout = self.layout()
        return {
            "version": protocol.GRADIO_VERSION,
            "porch_version": __version__,
            "api_prefix": protocol.API_PREFIX,
            "protocol": protocol.PROTOCOL,
            "mode": self.mode,
            "title": self.title,
            "css": self.all_css(),
            "js": self.js,
            "head": self.head,
            "theme": theme_name(self.theme),
            "theme_css": theme_css(self.theme),
            "fill_height": self.fill_height,
            "fill_width": self.fill_width,
            "enable_queue": True,
            "connect_heartbeat": self.needs_heartbeat(),
            "dev_mode": False,
            "analytics_enabled": False,
            "is_colab": False,
            "stylesheets": [],
            "footer_links": ["api"],
            "i18n_translations": (self.i18n_instance.translations_dict
                                  if self.i18n_instance is not None else None),
            "components": [block.config(conversion) for block in self.blocks.values()],
            "layout": layout,
            "dependencies": [dep.config() for dep in self.dependencies],
            "pages": [list(page) for page in self.pages],
            "page": self._pages.config(
                self.id,
                ((node, self.block_page.get(node["id"], "")) for node in layout["children"]),
                ((i, self.block_page.get(i, "")) for i in self.blocks),
                ((d.id, self.dependency_page.get(d.id, "")) for d in self.dependencies)),
        }

    def api_info(self, all_endpoints: bool = False) -> dict[str, Any]:
        """`/info`: every public endpoint's parameters and returns."""
        return api_description(self.dependencies, all_endpoints)

    # ---- converting values ----------------------------------------------------------------
    def prepare_inputs(self, dep: Dependency, data: list[Any], state: MutableMapping[int, Any],
                       conversion: Conversion, context: EventContext | None = None,
                       ) -> tuple[list[Any], dict[str, Any]]:
        """Wire values -> `(args, kwargs)` for `dep.fn`. State slots come from the session;
        parameters porch fills in (a `Progress`, a `Request`, `EventData`) go by keyword,
        fresh for this call, from what the server knows of it (`context`)."""
        return dep.signature.bind(self.convert_inputs(dep, data, state, conversion), context)

    def convert_inputs(self, dep: Dependency, data: list[Any], state: MutableMapping[int, Any],
                       conversion: Conversion) -> list[Any]:
        """Wire values -> one value per input, in order (what `prepare_inputs` binds)."""
        return convert_inputs(dep, data, state, conversion)

    def finish_outputs(self, dep: Dependency, result: Any, state: MutableMapping[int, Any],
                       conversion: Conversion) -> list[Any]:
        """The return value of `dep.fn` -> one wire value per output (None for State)."""
        return finish_outputs(dep, result, state, conversion)

    # ---- serving --------------------------------------------------------------------------
    def launch(self, **options: Any) -> tuple[Any, str, str | None]:
        """Serve the app (see `porch.server.serve.launch` for the options).

        Blocks in a script until Ctrl-C; returns at once with `prevent_thread_lock=True`.
        Returns `(asgi_app, local_url, share_url)`.
        """
        if _launcher is None:
            raise ConfigError("No server to launch with: import porch, not porch.blocks alone.")
        # Gradio takes the look in launch() too; it applies as if given to Blocks().
        for name in ("theme", "css", "css_paths", "js", "head", "head_paths"):
            if name in options:
                value = options.pop(name)
                if value is not None:
                    setattr(self, name, value)
        _launched.add(self)
        return _launcher(self, **options)

    def launch_messages(self, local_url: str) -> list[str]:
        """Lines the server prints after "Running on" (an app with something to say)."""
        return []

    def all_css(self) -> str | None:
        """`css` and the contents of `css_paths`, as one stylesheet."""
        parts = [self.css] if self.css else []
        for path in _paths(self.css_paths):
            try:
                parts.append(Path(path).read_text(encoding="utf-8"))
            except OSError as exc:
                raise ConfigError(f"css_paths: cannot read {path} ({exc.strerror}).") from exc
        return "\n".join(parts) or None

    def all_head(self) -> str | None:
        """`head` and the contents of `head_paths`: HTML the page adds to its <head>."""
        parts = [self.head] if self.head else []
        for path in _paths(self.head_paths):
            try:
                parts.append(Path(path).read_text(encoding="utf-8"))
            except OSError as exc:
                raise ConfigError(f"head_paths: cannot read {path} ({exc.strerror}).") from exc
        return "\n".join(parts) or None

    def close(self) -> None:
        """Stop the server started by `launch()`."""
        if self.server is not None:
            self.server.stop()
            self.server = None

    @property
    def local_url(self) -> str | None:
        return None if self.server is None else self.server.url


def _paths(value: Any) -> list[str | Path]:
    if value is None:
        return []
    return [value] if isinstance(value, (str, Path)) else list(value)
