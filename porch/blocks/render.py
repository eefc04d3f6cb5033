"""Dynamic UI: `@porch.render` draws part of the page again when its inputs change.

    @porch.render(inputs=count)
    def boxes(n):
        for i in range(n):
            porch.Textbox(label=f"Box {i}")

The function runs on the server, for one session at a time, in a `RenderScope`: the blocks
and events it creates go into the scope (with fresh ids), never into the app. The event's
output carries the scope's config as `render_config`; the page replaces the render's
contents with it and wires its events. The session keeps the scope, so those events can run
(by their `fn_index`) until the next render replaces them.
"""

from __future__ import annotations

import functools
import inspect
import itertools
from collections.abc import Callable
from contextvars import Token
from typing import Any

from porch.blocks.events import Dependency, as_component_list
from porch.blocks.layout import Column, Layout
from porch.components.base import (
    Block,
    BoundListener,
    Container,
    Conversion,
    EventRegistry,
    current_container,
    current_registry,
)
from porch.errors import ConfigError

_render_ids = itertools.count()


class RenderScope:
    """One run of a render function: what it drew and wired (a container and a registry)."""

    is_render_scope = True  # how porch.blocks.updates, below this module, tells one apart

    def __init__(self, renderable: Renderable) -> None:
        self.renderable = renderable
        self.render_id = renderable.render_id
        self.app = renderable.app
        self.children: list[Block] = []
        self.blocks: dict[int, Block] = {}
        self.dependencies: list[Dependency] = []

    # ---- what blocks and listeners call while the function runs ----------------------------
    def add_child(self, block: Block) -> None:
        self.children.append(block)

    def add_block(self, block: Block) -> None:
        # Blocks of the app that the render's events use stay the app's.
        if block.id not in self.app.blocks and block is not self.app:
            self.blocks[block.id] = block

    def register_event(self, targets: list[tuple[Block, str]], fn: Callable[..., Any] | None,
                       **options: Any) -> Dependency:
        dep: Dependency = self.app.register_event(targets, fn, scope=self, **options)
        dep.rendered_in = self.render_id
        return dep

    # ---- what the page is sent -------------------------------------------------------------
    def layout(self) -> dict[str, Any]:
        return {"id": self.renderable.column.id, "children": [
            child.layout() if isinstance(child, Layout) else {"id": child.id}
            for child in self.children
        ]}

    def config(self, conversion: Conversion | None = None) -> dict[str, Any]:
        """The `render_config` of this run (PROTOCOL.md §3.3)."""
        column = {**self.renderable.column.config(conversion), "renderable": self.render_id}
        components = [
            {**block.config(conversion), "renderable": self.render_id,
             "rendered_in": self.render_id}
            for block in self.blocks.values()
        ]
        return {
            "layout": self.layout(),
            "components": [column, *components],
            "dependencies": [dep.config() for dep in self.dependencies],
            "render_id": self.render_id,
        }


class Renderable:
    """A `@render` function placed in an app: a Column that holds what it draws, and the
    event that runs it."""

    render_id: int
    # The app's `Blocks`, which sits above this module: only its `blocks` and
    # `register_event` are used, so it is not imported (nor typed) here.
    app: Any

    def __init__(self, fn: Callable[..., Any], inputs: Any, triggers: Any,
                 options: dict[str, Any]) -> None:
        if inspect.isasyncgenfunction(fn) or inspect.isgeneratorfunction(fn):
            raise ConfigError("A @render function draws once per run: a plain or async "
                              "function, not a generator.")
        registry = current_registry.get()
        if registry is None:
            raise ConfigError("@render must be used inside a `with porch.Blocks():` block.")
        app: Any = registry.app if isinstance(registry, RenderScope) else registry
        self.app = app
        self.fn = fn
        self.render_id = next(_render_ids)
        self.column = Column()
        inputs_list = as_component_list(inputs, "inputs")
        if triggers is None:
            targets: list[tuple[Block, str]] = [(self.app, "load")]
            targets += [(component, "change") for component in inputs_list]
        else:
            targets = [_target(t) for t in (triggers if isinstance(triggers, (list, tuple))
                                            else [triggers])]

        run: Callable[..., Any]
        if inspect.iscoroutinefunction(fn):
            @functools.wraps(fn)
            async def run(*args: Any, **kwargs: Any) -> RenderScope:
                return await self.run_async(*args, **kwargs)
        else:
            @functools.wraps(fn)
            def run(*args: Any, **kwargs: Any) -> RenderScope:
                return self.run(*args, **kwargs)

        options.setdefault("api_visibility", "undocumented")
        options.setdefault("trigger_mode", "always_last")
        options.setdefault("concurrency_limit", None)
        self.dependency: Dependency = registry.register_event(
            targets, run, inputs=inputs_list, outputs=[self.column], **options)
        self.dependency.render_id = self.render_id

    def run(self, *args: Any, **kwargs: Any) -> RenderScope:
        """Call the function with blocks and listeners going into a fresh scope."""
        scope = RenderScope(self)
        container: Token[Container | None] = current_container.set(scope)
        registry: Token[EventRegistry | None] = current_registry.set(scope)
        try:
            self.fn(*args, **kwargs)
        finally:
            current_registry.reset(registry)
            current_container.reset(container)
        return scope

    async def run_async(self, *args: Any, **kwargs: Any) -> RenderScope:
        """`run` for an `async def` render: awaited on the event loop, in its own scope (the
        context variables are the task's, so other events' renders do not see it)."""
        scope = RenderScope(self)
        container: Token[Container | None] = current_container.set(scope)
        registry: Token[EventRegistry | None] = current_registry.set(scope)
        try:
            await self.fn(*args, **kwargs)
        finally:
            current_registry.reset(registry)
            current_container.reset(container)
        return scope

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.fn(*args, **kwargs)


def _target(trigger: Any) -> tuple[Block, str]:
    if isinstance(trigger, BoundListener):
        return trigger.block, trigger.event
    raise ConfigError(f"triggers must be listeners such as `button.click`, got {trigger!r}.")


def render(inputs: Any = None, triggers: Any = None, *, queue: bool = True,
           trigger_mode: str | None = "always_last", concurrency_limit: int | None | str = None,
           concurrency_id: str | None = None, show_progress: str = "full",
           **options: Any) -> Any:
    """Redraw part of the page when `inputs` change (or when `triggers` fire):

        @porch.render(inputs=[count], triggers=[go.click])
        def draw(n): ...

    Without `triggers`, it runs when the page loads and on each change of an input. As in
    Gradio, a render keeps only the latest trigger (`trigger_mode="always_last"`) and runs
    without a concurrency limit; other options are those of an event listener.
    """
    options = {"queue": queue, "trigger_mode": trigger_mode,
               "concurrency_limit": concurrency_limit, "concurrency_id": concurrency_id,
               "show_progress": show_progress, **options}
    if callable(inputs) and not isinstance(inputs, Block):  # bare `@render`
        return Renderable(inputs, None, triggers, options)

    def decorate(fn: Callable[..., Any]) -> Renderable:
        return Renderable(fn, inputs, triggers, options)

    return decorate
