"""Converting values between the wire and an event's function: the payloads a client sends
become the function's arguments, and its return value becomes one payload per output.

Sans-IO like the rest of porch.blocks; the server runs these in a worker thread."""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

from porch.blocks.events import Dependency
from porch.blocks.updates import output_payload, output_values, session_view
from porch.components.base import Conversion
from porch.components.state import State
from porch.errors import InvalidRequest


def convert_inputs(dep: Dependency, data: list[Any], state: MutableMapping[int, Any],
                   conversion: Conversion) -> list[Any]:
    """Wire values -> one value per input, in order (what `prepare_inputs` binds)."""
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
    view = session_view(state)
    for original, payload in zip(dep.inputs, data, strict=False):
        # As the session's page shows it: an update may have changed its choices.
        component = view.current(original)
        assert isinstance(component, type(original))
        if isinstance(component, State):
            if component.id not in state:
                state[component.id] = component.fresh_value()
            args.append(state[component.id])
        elif not dep.preprocess:
            args.append(payload)
        else:
            args.append(component.preprocess(payload, conversion))
    return args

def finish_outputs(dep: Dependency, result: Any, state: MutableMapping[int, Any],
                   conversion: Conversion) -> list[Any]:
    """The return value of `dep.fn` -> one wire value per output (None for State).

    A value may be an update of the output's props (see `porch.blocks.updates`)."""
    view = session_view(state)
    if not dep.postprocess:
        return [output_payload(block, value, view, state, conversion)
                if isinstance(block, State) else value
                for block, value in zip(dep.outputs, output_values(dep, result),
                                        strict=True)]
    return [output_payload(block, value, view, state, conversion)
            for block, value in zip(dep.outputs, output_values(dep, result), strict=True)]
