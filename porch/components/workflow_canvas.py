"""gr.WorkflowCanvas: a workflow graph drawn as boxes and wires, editable in the page.

The value is the graph as JSON text (porch.components.workflow_graph, Gradio's schema 2).
Values on media ports are files and pass the file gate both ways: a result the app returns
becomes a served file (FileData) on the page, and a file the page sends must be one the
gate lets in (an upload of this session), never a path the page names.

`server_functions` are Python functions the page may call while it is open, through the
`component_server` route: each is called with the data the page sends, under the guard and
limits of every other route. `gr.Workflow` gives the canvas the list of bound functions so
the page can offer them as steps.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from porch.components.base import Component, Conversion, EventListener, server
from porch.components.files import entry_from_payload, file_payload
from porch.components.workflow_graph import MEDIA_PORT_TYPES, WorkflowGraph, port_type
from porch.errors import Error, FileNotAllowed, PorchError

SCHEMA: dict[str, Any] = {"type": "string", "description": "a workflow graph, as JSON"}


class WorkflowCanvas(Component):
    """A workflow graph the page draws and edits: inputs, steps, results and the wires
    between them. The value is the graph's JSON text."""

    block_type = "workflowcanvas"
    schema = SCHEMA
    python_type = "str"
    example = '{"schema_version": "2", "references": [], "operators": [], "subjects": []}'

    change = EventListener("change")

    def __init__(
        self,
        value: str | Callable[..., str | None] | None = None,
        *,
        label: str | None = None,
        every: Any = None,
        inputs: Any = None,
        show_label: bool = False,
        visible: bool | str = True,
        elem_id: str | None = None,
        elem_classes: list[str] | str | None = None,
        render: bool = True,
        key: Any = None,
        preserved_by_key: list[str] | str | None = "value",
        container: bool = False,
        server_functions: list[Callable[..., Any]] | None = None,
        app_view: str | None = None,
    ) -> None:
        self.app_view = app_view
        self.server_function_names: list[str] = []
        for fn in server_functions or []:
            name = getattr(fn, "__name__", "")
            if not name.isidentifier() or name.startswith("_") or hasattr(type(self), name):
                raise PorchError(f"WorkflowCanvas: a server function needs a public name "
                                 f"that is not one of the component's own, got {name!r}.")
            setattr(self, name, server(_called_with_data(fn)))
            self.server_function_names.append(name)
        super().__init__(value, label=label, every=every, inputs=inputs,
                         show_label=show_label, visible=visible is not False, elem_id=elem_id,
                         elem_classes=elem_classes, render=render, key=key,
                         preserved_by_key=preserved_by_key, container=container)

    def preprocess(self, payload: Any, conversion: Conversion) -> str | None:
        if payload is None or payload == "":
            return None
        graph = _graph(payload)
        for node in graph.by_role["subject"]:
            node["data"] = {}  # results come from running the graph, never from the page
        for node in graph.by_role["operator"]:
            node["data"] = {port: value for port, value in node["data"].items()
                            if not isinstance(value, (dict, list))}
        for node in graph.by_role["reference"]:
            if port_type(node) in MEDIA_PORT_TYPES:
                port = node["outputs"][0]["id"]
                node["data"] = {port: _file_in(node["data"].get(port), conversion)}
        return graph.to_json()

    def postprocess(self, value: Any, conversion: Conversion) -> str | None:
        if value is None or value == "":
            return None
        graph = _graph(value)
        for node in graph.nodes.values():
            kind = port_type(node, "inputs" if node["role"] == "subject" else "outputs")
            if kind not in MEDIA_PORT_TYPES:
                continue
            for port, held in list(node["data"].items()):
                try:
                    node["data"][port] = _file_out(held, conversion)
                except FileNotAllowed:
                    if node["role"] == "subject":
                        raise
                    # A saved input naming a file the gate does not let out: shown empty.
                    node["data"][port] = None
        return json.dumps(graph.to_dict())

    def props(self, conversion: Conversion | None = None) -> dict[str, Any]:
        return {**super().props(conversion), "app_view": self.app_view,
                "server_fns": self.server_function_names}


def _graph(value: Any) -> WorkflowGraph:
    try:
        return WorkflowGraph.from_json(value) if isinstance(value, (str, bytes)) \
            else WorkflowGraph(value)
    except PorchError as exc:
        raise Error(str(exc)) from None


def _file_in(held: Any, conversion: Conversion) -> str | None:
    """A media value from the page: a served or uploaded file the gate lets in, or nothing."""
    if held is None:
        return None
    try:
        return str(entry_from_payload(held, conversion).path)
    except FileNotAllowed as exc:
        raise Error(f"A workflow input file was refused: {exc}") from None


def _file_out(held: Any, conversion: Conversion) -> Any:
    if held is None or held == "":
        return None
    if isinstance(held, list):
        return [_file_out(item, conversion) for item in held]
    return file_payload(held, conversion)


def _called_with_data(fn: Callable[..., Any]) -> Callable[..., Any]:
    # A wrapper, so marking it callable by the page does not mark the app's own function.
    def call(data: Any) -> Any:
        return fn(data)

    call.__name__ = getattr(fn, "__name__", "server_function")
    call.__doc__ = fn.__doc__
    return call


__all__: Sequence[str] = ["WorkflowCanvas"]
