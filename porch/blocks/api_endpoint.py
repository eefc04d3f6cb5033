"""`porch.api(fn)`: an API endpoint for a plain function, with no components (Gradio's
`gr.api`). Its parameters and returns are described by the function's type hints:

    with gr.Blocks() as demo:
        def add(a: int, b: int = 2) -> int:
            return a + b
        gr.api(add, api_name="add")        # Client(url).predict(1, api_name="/add") == 3

A parameter is one input; the return annotation is one output (a `tuple[...]` is one output
per item; none, or `-> None`, is no output). A generator (`-> Iterator[str]`) streams.
Parameters porch fills in (`gr.Request`, `gr.Progress`, ...) are not inputs, as in events.
"""

from __future__ import annotations

import inspect
import typing
import warnings
from collections.abc import Callable
from typing import Any

from porch.blocks.events import DEFAULT, is_generator
from porch.blocks.signature import signature_of
from porch.components.api_value import Api, schema_of, streamed_type, type_name
from porch.components.base import current_registry
from porch.errors import ConfigError

_DECORATE: Any = "decorator"  # Gradio's marker for "used as @api(...)"


def api(
    fn: Callable[..., Any] | str = _DECORATE,
    *,
    api_name: str | None = None,
    api_description: str | None = None,
    queue: bool = True,
    batch: bool = False,
    max_batch_size: int = 4,
    concurrency_limit: int | None | str = DEFAULT,
    concurrency_id: str | None = None,
    api_visibility: str = "public",
    time_limit: int | None = None,
    stream_every: float = 0.5,
) -> Any:
    """Register `fn` as an API-only endpoint of the app being built (inside `with Blocks():`).

    `api_name` defaults to the function's name; `api_description` to its docstring's first
    paragraph (False: none). Other options mean what they mean for an event listener.
    Used as `@porch.api(api_name=...)`, it registers the function and returns it.
    """
    options: dict[str, Any] = {
        "api_name": api_name, "api_description": api_description, "queue": queue,
        "batch": batch, "max_batch_size": max_batch_size,
        "concurrency_limit": concurrency_limit, "concurrency_id": concurrency_id,
        "api_visibility": api_visibility, "time_limit": time_limit,
        "stream_every": stream_every,
    }
    if isinstance(fn, str):
        if fn != _DECORATE:
            raise ConfigError(f"api() takes a function, got {fn!r}.")

        def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
            register_api(func, **options)
            return func

        return decorate
    return register_api(fn, **options)


def register_api(fn: Callable[..., Any], *, api_name: str | None = None,
                 api_description: str | bool | None = None, **options: Any) -> Any:
    """Add `fn` to the app being built as an endpoint typed by its hints; its Dependency."""
    registry = current_registry.get()
    if registry is None:
        raise ConfigError("api() must be called inside a `with porch.Blocks():` block.")
    if not callable(fn):
        raise ConfigError(f"api() takes a function, got {fn!r}.")
    hints = _hints(fn)
    inputs = []
    for index, param in enumerate(signature_of(fn).inputs):
        if param.name not in hints:
            raise ConfigError(
                f"API endpoints need a type hint on every parameter: give "
                f"{_name(fn)}'s `{param.name}` one (e.g. `{param.name}: str`).")
        has_default = param.default is not inspect.Parameter.empty
        hint = hints[param.name]
        inputs.append(Api(param.default if has_default else None, schema_of(hint),
                          _ordinal(index + 1), python_type=type_name(hint)))
    outputs = [Api(None, schema_of(hint), _ordinal(index + 1), python_type=type_name(hint))
               for index, hint in enumerate(_return_types(fn, hints))]
    if api_description is None:
        api_description = _first_paragraph(inspect.getdoc(fn))
    elif api_description is False:
        api_description = None
    return registry.register_event(
        [], fn, inputs=inputs, outputs=outputs, api_name=api_name,
        api_description=api_description, show_progress="hidden", **options)


def _hints(fn: Callable[..., Any]) -> dict[str, Any]:
    try:
        return typing.get_type_hints(fn)
    except Exception:  # a string annotation naming something not importable: take it as is
        try:
            return {name: param.annotation
                    for name, param in inspect.signature(fn).parameters.items()
                    if param.annotation is not inspect.Parameter.empty}
        except (TypeError, ValueError):
            return {}


def _return_types(fn: Callable[..., Any], hints: dict[str, Any]) -> list[Any]:
    if "return" not in hints:
        warnings.warn(f"{_name(fn)} has no return annotation, so its API endpoint returns "
                      "nothing (as in Gradio); annotate it, e.g. `-> str`.", stacklevel=4)
        return []
    hint = hints["return"]
    if hint is None or hint is type(None):
        return []
    if is_generator(fn):
        # One output per yield, as in Gradio; its schema is what each yield gives.
        return [streamed_type(hint)]
    if typing.get_origin(hint) is tuple:
        return list(typing.get_args(hint))
    return [hint]


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _first_paragraph(doc: str | None) -> str | None:
    return doc.split("\n\n", 1)[0].strip() or None if doc else None


def _name(fn: Callable[..., Any]) -> str:
    return getattr(fn, "__name__", None) or repr(fn)
