"""Updates: an event function changing an output's props, not only its value.

    return porch.update(visible=False)                 # a dict {"__type__": "update", ...}
    return porch.Textbox(label="Name", interactive=True)   # the props the app named
    return {status: "done"}                            # only some outputs; others unchanged
    return porch.skip()                                # leave this output as it is

On the wire an update is `{"__type__": "update", **props}` with its props as the page reads
them: `value` through the component's `postprocess`, and other props normalised the way the
component's constructor does it (so `choices=["a", ("B", "b")]` arrives as label/value pairs).
A session whose update changed a component's props keeps the changed component (see
`SessionView`), so its inputs are then checked against what the page really shows.
"""

from __future__ import annotations

import inspect
import threading
from functools import cache
from typing import Any, Protocol

from porch.blocks.events import Dependency
from porch.components.base import Block, Component, Conversion
from porch.components.state import State


class DrawnScope(Protocol):
    """One run of a `@render` function, as a session keeps it (porch.blocks.render's
    RenderScope, which sits above this module)."""

    render_id: int
    blocks: dict[int, Block]
    dependencies: list[Dependency]

UPDATE = "update"
# Session state is keyed by block id; ids start at 1, so this key never holds a State value.
SESSION_VIEW_KEY = 0


def update(**props: Any) -> dict[str, Any]:
    """Change some props of an output: `return porch.update(visible=True, label="Total")`."""
    return {"__type__": UPDATE, **props}


def skip() -> dict[str, Any]:
    """Leave an output as it is: `return porch.skip()` (or one of several outputs)."""
    return {"__type__": UPDATE}


def is_update(value: Any) -> bool:
    return isinstance(value, dict) and value.get("__type__") == UPDATE


def changes_of(value: Any) -> dict[str, Any] | None:
    """The props `value` sets if it is an update (a dict or a returned block), else None."""
    if is_update(value):
        return {k: v for k, v in value.items() if k != "__type__"}
    if isinstance(value, Block):
        return explicit_arguments(value)
    return None


def explicit_arguments(block: Block) -> dict[str, Any]:
    """The constructor arguments the app gave `block`, by name."""
    args, kwargs = block.constructor_args
    cls: type = type(block)
    positional = [p.name for p in _init_parameters(cls)
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    named = dict(zip(positional, args, strict=False))
    named.update(kwargs)
    named.pop("render", None)
    return named


def output_values(dep: Dependency, result: Any) -> list[Any]:
    """The function's return value as one value per output: a tuple/list for several, or a
    `{output: value}` dict naming some of them (the others are left unchanged)."""
    count = len(dep.outputs)
    if isinstance(result, dict) and result and all(isinstance(k, Block) for k in result):
        unknown = [k for k in result if all(k is not o for o in dep.outputs)]
        if unknown:
            raise ValueError(f"{_fn_name(dep)} returned a value for {unknown[0]!r}, which is "
                             f"not an output of /{dep.api_name}.")
        found = {id(k): v for k, v in result.items()}
        return [found.get(id(o), skip()) for o in dep.outputs]
    if count == 0:
        return []
    if count == 1:
        return [result]
    if isinstance(result, (list, tuple)) and len(result) == count:
        return list(result)
    got = len(result) if isinstance(result, (list, tuple)) else 1
    raise ValueError(f"{_fn_name(dep)} returned {got} value(s) but /{dep.api_name} has "
                     f"{count} outputs.")


def _fn_name(dep: Dependency) -> str:
    return getattr(dep.fn, "__name__", None) or "The function"


def output_payload(block: Block, value: Any, view: SessionView,
                   state: dict[int, Any] | Any, conversion: Conversion) -> Any:
    """One output's wire value (None for State and layouts without changes)."""
    current = view.current(block)
    changes = changes_of(value)
    if isinstance(current, State):
        if changes is None:
            state[current.id] = value
        elif "value" in changes:
            state[current.id] = changes["value"]
        return None
    if changes is not None:
        payload, changed = _update_payload(current, changes, conversion)
        if changed is not None:
            view.remember(changed)
        return payload
    if isinstance(current, Component):
        return current.postprocess(value, conversion)
    if value is None or _is_render_result(value):
        return None
    raise TypeError(f"{type(current).__name__} is a layout: an event can only update its "
                    f"props (return porch.update(visible=...) or a "
                    f"{type(current).__name__}(...)), not give it the value {value!r}.")


def _is_render_result(value: Any) -> bool:
    # A render function's run (porch.blocks.render.RenderScope, a module above this one):
    # its output is the scope's config, sent apart from the outputs' values.
    return getattr(value, "is_render_scope", False) is True


def _update_payload(block: Block, changes: dict[str, Any], conversion: Conversion,
                    ) -> tuple[dict[str, Any], Block | None]:
    """The wire update for `changes`, and (when props other than the value changed) the
    block as it now is, for the session to keep."""
    payload: dict[str, Any] = {"__type__": UPDATE}
    props = {k: v for k, v in changes.items() if k not in ("value", "render")}
    changed: Block | None = None
    if props:
        cls: type = type(block)
        accepted = _accepted_names(cls)
        known = {k: v for k, v in props.items() if k in accepted}
        normalised: dict[str, Any] = {}
        if known:
            changed = _rebuilt(block, known)
            normalised = changed.props(conversion)
            if isinstance(changed, Component) and isinstance(block, Component):
                changed.value = block.value
        for key, raw in props.items():
            payload[key] = normalised[key] if key in known and key in normalised else raw
    if "value" in changes and isinstance(block, Component):
        payload["value"] = (changed if isinstance(changed, Component) else block).postprocess(
            changes["value"], conversion)
    return payload, changed if isinstance(changed, Component) else None


def _rebuilt(block: Block, props: dict[str, Any]) -> Block:
    """A copy of `block` with `props` changed, built by its constructor (which checks and
    normalises them). It keeps the block's id; its value is None until the caller sets it."""
    arguments = {**explicit_arguments(block), **props}
    cls: type = type(block)
    if "value" in _accepted_names(cls):
        # Converting the initial value may read files; the copy needs only its props.
        arguments["value"] = None
    copy = type(block)(**arguments, render=False)
    copy.id = block.id
    copy.rendered = block.rendered
    copy.key = block.key
    return copy


@cache
def _init_parameters(cls: type) -> list[inspect.Parameter]:
    params = list(inspect.signature(getattr(cls, "__init__")).parameters.values())  # noqa: B009
    return params[1:]  # self


@cache
def _accepted_names(cls: type) -> frozenset[str]:
    """Every keyword the constructor of `cls` takes, including those it passes up."""
    names: set[str] = set()
    for klass in cls.__mro__:
        init = klass.__dict__.get("__init__")
        if init is None:
            continue
        params = list(inspect.signature(init).parameters.values())[1:]
        names.update(p.name for p in params if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD))
        if not any(p.kind is p.VAR_KEYWORD for p in params):
            break
    return frozenset(names)


class SessionView:
    """What one session changed of the app: components whose props an update changed, and
    what its `@render` functions drew (their blocks and events)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._blocks: dict[int, Block] = {}
        self._renders: dict[int, DrawnScope] = {}

    def current(self, block: Block) -> Block:
        return self._blocks.get(block.id, block)

    def remember(self, block: Block) -> None:
        with self._lock:
            self._blocks[block.id] = block

    def rendered(self, scope: DrawnScope) -> None:
        """A render ran: its new scope replaces the last one (whose blocks are gone)."""
        with self._lock:
            old = self._renders.get(scope.render_id)
            if old is not None:
                for block_id in old.blocks:
                    self._blocks.pop(block_id, None)
            self._renders[scope.render_id] = scope

    def block(self, block_id: int) -> Block | None:
        """A block a render of this session drew."""
        with self._lock:
            scopes = list(self._renders.values())
        for scope in scopes:
            if block_id in scope.blocks:
                return scope.blocks[block_id]
        return None

    def dependency(self, fn_index: int) -> Dependency | None:
        """An event a render of this session defined."""
        with self._lock:
            scopes = list(self._renders.values())
        for scope in scopes:
            for dep in scope.dependencies:
                if dep.id == fn_index:
                    return dep
        return None


_views_lock = threading.Lock()


def session_view(state: Any) -> SessionView:
    """The session's view, kept with its State values (and forgotten with them)."""
    with _views_lock:
        view = state.get(SESSION_VIEW_KEY)
        if not isinstance(view, SessionView):
            view = SessionView()
            state[SESSION_VIEW_KEY] = view
        return view


def validate(is_valid: bool, message: str) -> dict[str, Any]:
    """What an event's `validator=` returns for an input (Gradio's `gr.validate`): when any
    input is not valid, the event does not run and `message` shows on that input."""
    return {"__type__": "validate", "is_valid": is_valid, "message": message}
