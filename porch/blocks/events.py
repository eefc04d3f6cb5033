"""Events: what runs when a block fires (`Dependency`), and how it shows in the config."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from porch.components.base import Block, Component

if TYPE_CHECKING:
    from porch.blocks.blocks import Blocks

DEFAULT = "default"


@dataclass(eq=False)
class Dependency:
    """One event handler: `fn(*inputs) -> outputs`, fired by `targets`."""

    id: int
    app: Blocks
    fn: Callable[..., Any] | None
    targets: list[tuple[int, str]]
    inputs: list[Component]
    outputs: list[Component]
    api_name: str
    api_visibility: str = "public"
    api_description: str | None = None
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

    @property
    def concurrency_key(self) -> str:
        return self.concurrency_id or f"fn:{self.id}"

    def then(self, fn: Callable[..., Any] | None, inputs: Any = None, outputs: Any = None,
             **options: Any) -> Dependency:
        """Run `fn` after this event finishes, whatever its outcome."""
        return self.app.register_event([], fn, inputs=inputs, outputs=outputs,
                                       trigger_after=self.id, **options)

    def success(self, fn: Callable[..., Any] | None, inputs: Any = None, outputs: Any = None,
                **options: Any) -> Dependency:
        """Run `fn` after this event finishes without error."""
        return self.app.register_event([], fn, inputs=inputs, outputs=outputs,
                                       trigger_after=self.id, trigger_only_on_success=True,
                                       **options)

    def failure(self, fn: Callable[..., Any] | None, inputs: Any = None, outputs: Any = None,
                **options: Any) -> Dependency:
        """Run `fn` after this event fails."""
        return self.app.register_event([], fn, inputs=inputs, outputs=outputs,
                                       trigger_after=self.id, trigger_only_on_failure=True,
                                       **options)

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
            "batch": False,
            "max_batch_size": 4,
            "cancels": self.cancels,
            "types": {"generator": self.is_generator, "cancel": bool(self.cancels)},
            "collects_event_data": False,
            "trigger_after": self.trigger_after,
            "trigger_only_on_success": self.trigger_only_on_success,
            "trigger_only_on_failure": self.trigger_only_on_failure,
            "trigger_mode": self.trigger_mode,
            "api_visibility": self.api_visibility,
            "connection": "sse",
            "time_limit": None,
        }


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
