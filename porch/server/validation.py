"""An event's `validator=`: checked when the event joins, before it takes a place in the queue.

The validator gets the event's inputs as the function would (preprocessed, State from the
session) and returns `porch.validate(is_valid, message)` for each input, or one for all. If
any says invalid, the join answers 422 with one entry per input (Gradio's shape, which
gradio_client turns into a `ValidationError` and the page shows on each input) and the
function does not run. A validator that raises answers 400 with its message.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, MutableMapping
from typing import Any

import anyio
import anyio.to_thread

from porch.blocks.context import EventContext
from porch.blocks.events import Dependency
from porch.server.runtime import AppRuntime


def is_validation(value: Any) -> bool:
    return isinstance(value, dict) and value.get("__type__") == "validate"


def verdicts(response: Any, dep: Dependency) -> tuple[bool, list[dict[str, Any]]]:
    """(all valid, one entry per input) from what the validator returned."""
    names = [p.name for p in dep.signature.inputs] if dep.signature is not None else []
    if isinstance(response, (list, tuple)):
        entries = []
        for index, item in enumerate(response):
            if is_validation(item):
                name = names[index] if index < len(names) else f"parameter_{index}"
                entries.append({**item, "parameter_name": name})
            else:
                entries.append({"is_valid": True, "message": ""})
    elif is_validation(response) and response.get("is_valid") is False:
        entries = [{**response, "parameter_name": names[0] if names else "parameter_0"}]
    else:
        entries = [{"is_valid": True, "message": ""}]
    return all(e.get("is_valid") is True for e in entries), entries


async def check(runtime: AppRuntime, dep: Dependency, data: list[Any],
                session_hash: str, root: str, context: EventContext | None
                ) -> list[dict[str, Any]] | None:
    """None when `dep` has no validator or every input passed; else the 422 entries."""
    validator: Callable[..., Any] | None = dep.validator
    if validator is None:
        return None
    state: MutableMapping[int, Any] = runtime.states.state(session_hash)
    conversion = runtime.conversion(root)

    def prepared() -> list[Any]:
        args, _ = runtime.blocks.prepare_inputs(dep, data, state, conversion, context)
        return args

    args = await anyio.to_thread.run_sync(prepared, limiter=runtime.limiter)
    if inspect.iscoroutinefunction(validator):
        response = await validator(*args)
    else:
        response = await anyio.to_thread.run_sync(lambda: validator(*args),
                                                  limiter=runtime.limiter)
    valid, entries = verdicts(response, dep)
    return None if valid else entries
