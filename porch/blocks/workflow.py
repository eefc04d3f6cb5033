"""`gr.Workflow`: an app built around a workflow graph, with the canvas to draw it and one
API endpoint per pipeline of results.

    Workflow(graph="workflow.json", bind=[clean, summarize], edges=[("clean", "summarize")])

The graph lives in a JSON file (Gradio's schema 2; relative paths are resolved from the
calling script's folder). If the file does not exist yet, the graph comes from `bind=` and
`edges=`: one step per function, inputs and results added where nothing is wired.

- The "Canvas" tab draws the graph; the page can edit it, run it (the bound functions run
  on the server, in topological order) and save it. Saving writes the file and needs the
  write-access link printed at launch (`?write_token=...`): anyone else can look and run.
- The "App" tab, and the HTTP API, have one endpoint per connected group of results, named
  after its first result's label, taking the group's free inputs in file order. They run the
  graph as saved in the file, so a save changes what they do at once; a save that changes an
  endpoint's inputs or results takes effect in the API description on the next start.
"""

from __future__ import annotations

import json
import os
import secrets
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from porch.blocks.blocks import Blocks
from porch.blocks.context import Request
from porch.blocks.layout import Column, Row, Tab, Tabs
from porch.blocks.workflow_run import check_runnable, run_graph
from porch.components.audio import Audio
from porch.components.base import Component, current_registry
from porch.components.button import Button
from porch.components.choice import Checkbox
from porch.components.data import JSON
from porch.components.files import File
from porch.components.gallery import Gallery
from porch.components.markup import Markdown
from porch.components.media import Image, Video
from porch.components.model3d import Model3D
from porch.components.number import Number
from porch.components.table import Dataframe
from porch.components.text import Textbox
from porch.components.workflow_canvas import WorkflowCanvas
from porch.components.workflow_graph import (
    MEDIA_PORT_TYPES,
    WorkflowGraph,
    WorkflowGraphError,
    function_ports,
    graph_from_functions,
    group_api_names,
    port_type,
)
from porch.errors import ConfigError, Error, PorchError

APP_VIEW_ID = "workflow-app"


class Workflow(Blocks):
    """An app whose logic is a graph of bound Python functions (see the module's text)."""

    def __init__(self, graph: str | None = None, *,
                 bind: dict[str, Callable[..., Any]] | list[Callable[..., Any]] | None = None,
                 edges: list[tuple[str, str]] | None = None) -> None:
        if current_registry.get() is not None:
            raise ConfigError("gr.Workflow is an app of its own: create it outside any "
                              "`with gr.Blocks():` block.")
        if graph is None or not os.path.isabs(graph):
            caller = Path(sys._getframe(1).f_code.co_filename).resolve().parent
            graph = str(caller / (graph or "workflow.json"))
        self.graph_file = Path(graph)
        if isinstance(bind, list):
            bind = {getattr(fn, "__name__", repr(fn)): fn for fn in bind}
        self.bound: dict[str, Callable[..., Any]] = dict(bind or {})
        self.edge_spec = list(edges or [])
        self.write_token = secrets.token_urlsafe(18)
        name = self.graph_file.stem.replace("_", " ").replace("-", " ").title()
        self.workflow_name = name
        current = self.current_graph()
        check_runnable(current, self.bound)
        super().__init__(title=name, mode="workflow")
        self._build(current)

    # ---- the graph --------------------------------------------------------------------------
    def current_graph(self) -> WorkflowGraph:
        """The graph in the file, or, until one is saved, the one made from `bind=`."""
        if self.graph_file.is_file():
            return WorkflowGraph.from_json(self.graph_file.read_text(encoding="utf-8"))
        return graph_from_functions(self.bound, self.edge_spec, self.workflow_name)

    def _current_json(self) -> str:
        return self.current_graph().to_json()

    # ---- the app ----------------------------------------------------------------------------
    def _build(self, graph: WorkflowGraph) -> None:
        with self, Tabs():
            with Tab("Canvas"):
                self.canvas = WorkflowCanvas(
                    value=self._current_json, elem_id="workflow-canvas", app_view=APP_VIEW_ID,
                    server_functions=[self._bound_steps()])
                with Row():
                    run = Button("Run workflow", variant="primary")
                    save = Button("Save")
                run.click(self._run_canvas, self.canvas, self.canvas, api_name="run_workflow",
                          api_visibility="private")
                save.click(self._save, self.canvas, None, api_name="save_workflow",
                           api_visibility="private")
            with Tab("App"), Column(elem_id=APP_VIEW_ID):
                groups = graph.result_groups()
                for group, api_name in zip(groups, group_api_names(groups), strict=True):
                    self._endpoint(graph, group, api_name)
        for fn_name, fn in self.bound.items():
            # Each bound function is callable on its own too, as in Gradio (not drawn).
            ins, outs = function_ports(fn)
            self.register_event(
                [], fn, inputs=[_component(p["type"], p["label"], render=False) for p in ins],
                outputs=[_component(outs[0]["type"], fn_name, output=True, render=False)],
                api_name=f"predict_fn_{fn_name}", api_visibility="undocumented")

    def _endpoint(self, graph: WorkflowGraph, group: list[dict[str, Any]], api_name: str
                  ) -> None:
        frees = graph.free_inputs(group)
        with Row():
            inputs = [_component(port_type(ref), ref["label"],
                                 ref["data"].get(ref["outputs"][0]["id"])) for ref in frees]
            outputs = [_component(port_type(s, "inputs"), s["label"], output=True)
                       for s in group]
        free_ids = [ref["id"] for ref in frees]
        result_ids = [s["id"] for s in group]
        kinds = [port_type(ref) for ref in frees]

        async def endpoint(*values: Any) -> Any:
            current = self._checked(self.current_graph())
            groups = current.result_groups()
            now = dict(zip(group_api_names(groups), groups, strict=True)).get(api_name)
            if now is None or [r["id"] for r in current.free_inputs(now)] != free_ids:
                raise Error(f"The workflow changed since the app started: /{api_name} no "
                            "longer has these inputs. Restart the app to use the new graph.")
            given = {ref_id: _parsed(value, kind)
                     for ref_id, value, kind in zip(free_ids, values, kinds, strict=True)}
            results = await self._run(current, given, {s["id"] for s in now})
            answer = [results[s["id"]]["in"] for s in now if s["id"] in result_ids]
            return answer[0] if len(answer) == 1 else tuple(answer)

        Button(f"Run: {', '.join(s['label'] for s in group)}", variant="primary").click(
            endpoint, inputs, outputs, api_name=api_name,
            api_description=f"Runs the workflow for {', '.join(s['label'] for s in group)}.")

    def _bound_steps(self) -> Callable[[Any], list[dict[str, Any]]]:
        def list_bound_fns(data: Any) -> list[dict[str, Any]]:
            """The bound functions, as steps the page can add to the graph."""
            steps = []
            for fn_name, fn in self.bound.items():
                inputs, outputs = function_ports(fn)
                steps.append({"fn": fn_name, "label": fn_name, "inputs": inputs,
                              "outputs": outputs})
            return steps

        return list_bound_fns

    # ---- events -----------------------------------------------------------------------------
    async def _run_canvas(self, graph_json: str | None) -> str:
        """Run the graph as the page shows it; results land on its result nodes."""
        if not graph_json:
            raise Error("There is no workflow to run.")
        graph = self._checked(_graph(graph_json))
        results = await self._run(graph, {}, None)
        for subject in graph.by_role["subject"]:
            subject["data"] = {"in": results.get(subject["id"], {}).get("in")}
        return graph.to_json()

    def _save(self, graph_json: str | None, request: Request) -> None:
        token = request.query_params.get("write_token", "") if request is not None else ""
        if not secrets.compare_digest(str(token), self.write_token):
            raise Error("Saving the workflow needs the write-access link printed when the app "
                        "started (it ends in ?write_token=...). Anyone may run it.",
                        title="Not saved")
        graph = self._checked(_graph(graph_json or ""))
        for node in graph.nodes.values():
            if node["role"] == "subject" or port_type(node) in MEDIA_PORT_TYPES:
                node["data"] = {}  # results and uploaded files are not part of the graph
        temporary = self.graph_file.with_name(f".{self.graph_file.name}.saving")
        temporary.write_text(graph.to_json(), encoding="utf-8")
        os.replace(temporary, self.graph_file)

    def _checked(self, graph: WorkflowGraph) -> WorkflowGraph:
        try:
            check_runnable(graph, self.bound)
        except WorkflowGraphError as exc:
            raise Error(str(exc)) from None
        return graph

    async def _run(self, graph: WorkflowGraph, given: Mapping[str, Any],
                   targets: set[str] | None) -> dict[str, Any]:
        try:
            return await run_graph(graph, self.bound, given, targets)
        except WorkflowGraphError as exc:
            raise Error(str(exc)) from None

    def launch_messages(self, local_url: str) -> list[str]:
        return [f"Workflow write-access link (keep it private: it lets you save the graph "
                f"every visitor sees): {local_url.rstrip('/')}/?write_token={self.write_token}"]


def _graph(text: str) -> WorkflowGraph:
    try:
        return WorkflowGraph.from_json(text)
    except PorchError as exc:
        raise Error(str(exc)) from None


def _parsed(value: Any, kind: str) -> Any:
    if kind == "json" and isinstance(value, str):
        try:
            return json.loads(value) if value.strip() else None
        except ValueError as exc:
            raise Error(f"A JSON input is not valid JSON: {exc}") from None
    return value


def _component(kind: str, label: str, value: Any = None, *, output: bool = False,
               render: bool = True) -> Component:
    """The component that shows (or takes) a value of one port type."""
    if kind in MEDIA_PORT_TYPES:
        value = None  # files come in through an upload, never a saved path
    made: dict[str, Callable[[], Component]] = {
        "number": lambda: Number(value, label=label, render=render),
        "boolean": lambda: Checkbox(bool(value), label=label, render=render),
        "json": lambda: JSON(value, label=label, render=render) if output else
        Textbox(json.dumps(value) if value is not None else "", label=f"{label} (JSON)",
                render=render),
        "markdown": lambda: Markdown(value or "", label=label, render=render) if output else
        Textbox(value, label=label, lines=3, render=render),
        "image": lambda: Image(label=label, type="filepath"),
        "audio": lambda: Audio(label=label, type="filepath"),
        "video": lambda: Video(label=label, render=render),
        "gallery": lambda: Gallery(label=label, render=render),
        "file": lambda: File(label=label, render=render),
        "model3d": lambda: Model3D(label=label, render=render),
        "dataframe": lambda: Dataframe(value, label=label, render=render),
    }
    make = made.get(kind, lambda: Textbox(value, label=label, render=render))
    return make()


__all__: Sequence[str] = ["Workflow"]
