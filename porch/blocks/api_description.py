"""The API description of an app's events: what `/info` (and the API page, and the MCP tools)
say about each public endpoint's parameters and returns, as gradio_client reads them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from porch.blocks.events import Dependency
from porch.blocks.signature import oauth_token_kind
from porch.components.base import Component


def api_description(dependencies: Sequence[Dependency],
                    all_endpoints: bool = False) -> dict[str, Any]:
    """`/info`: every public endpoint's parameters and returns."""
    shown = {"public", "undocumented"} if all_endpoints else {"public"}
    named: dict[str, Any] = {}
    for dep in dependencies:
        if dep.fn is None or dep.api_visibility not in shown:
            continue
        named["/" + dep.api_name] = {
            "parameters": _parameters(dep),
            "returns": [
                # gradio_client needs a label for every return; Gradio names them so.
                {**{k: v for k, v in c.api_parameter().items() if k != "example_input"},
                 "label": c.label or f"value_{c.id}"}
                for c in dep.outputs
                if isinstance(c, Component) and not c.skip_api
            ],
            "api_visibility": dep.api_visibility,
            "description": dep.api_description or "",
        }
        if dep.requires_login:  # porch's own key; clients ignore what they do not know
            named["/" + dep.api_name]["requires_login"] = True
        token_kind = oauth_token_kind(dep.signature)
        if token_kind is not None:  # clients send their token only where it is asked for
            named["/" + dep.api_name]["oauth_token"] = token_kind
    return {"named_endpoints": named, "unnamed_endpoints": {}}

def _parameters(dep: Dependency) -> list[dict[str, Any]]:
    params = dep.signature.inputs
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


def _is_json(value: Any) -> bool:
    return value is None or isinstance(value, (str, int, float, bool, list, dict))

