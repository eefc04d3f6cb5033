"""`gr.mcp`: say how an endpoint appears to MCP clients (`launch(mcp_server=True)`).

Every public named endpoint is a tool by default. These decorators, put on the endpoint's
function, rename or describe a tool, or make the endpoint an MCP resource or prompt instead.
They only mark the function (the same marks Gradio's decorators make, so a function marked
for Gradio works here): nothing is imported from the MCP SDK until the server starts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["prompt", "resource", "tool"]

F = TypeVar("F", bound=Callable[..., Any])


def tool(name: str | None = None, description: str | None = None,
         structured_output: bool = False, _meta: dict[str, Any] | None = None,
         ) -> Callable[[F], F]:
    """The endpoint as a tool, under `name` (its API name by default) and `description`
    (its docstring by default); `structured_output=True` also returns `{"result": ...}`."""

    def mark(fn: F) -> F:
        fn._mcp_type = "tool"  # type: ignore[attr-defined]
        fn._mcp_name = name  # type: ignore[attr-defined]
        fn._mcp_description = description  # type: ignore[attr-defined]
        fn._mcp_structured_output = structured_output  # type: ignore[attr-defined]
        fn._mcp_meta = _meta  # type: ignore[attr-defined]
        return fn

    return mark


def resource(uri_template: str, description: str | None = None,
             mime_type: str | None = None) -> Callable[[F], F]:
    """The endpoint as a resource at `uri_template` (`{name}` parts are its parameters)."""

    def mark(fn: F) -> F:
        fn._mcp_type = "resource"  # type: ignore[attr-defined]
        fn._mcp_uri_template = uri_template  # type: ignore[attr-defined]
        fn._mcp_description = description  # type: ignore[attr-defined]
        fn._mcp_mime_type = mime_type or "text/plain"  # type: ignore[attr-defined]
        return fn

    return mark


def prompt(name: str | None = None, description: str | None = None) -> Callable[[F], F]:
    """The endpoint as a prompt: its parameters are the prompt's arguments, and what it
    returns is the prompt's text."""

    def mark(fn: F) -> F:
        fn._mcp_type = "prompt"  # type: ignore[attr-defined]
        fn._mcp_name = name or fn.__name__  # type: ignore[attr-defined]
        fn._mcp_description = description  # type: ignore[attr-defined]
        return fn

    return mark
