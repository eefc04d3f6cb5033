"""Running a workflow graph: each node in topological order, values flowing along edges.

porch runs steps of kind "fn", the Python functions the app bound (`Workflow(bind=...)`).
Gradio's other kinds ("model", "space", "dataset") call the Hugging Face Hub; a porch app
runs on its own machine and reaches no hosted service on its own, so such a step fails with
an error that names it and says what to do instead (bind a function that does the work).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import Any

from porch.components.workflow_graph import WorkflowGraph, WorkflowGraphError
from porch.errors import Error


class WorkflowStepError(Error):
    """A step of the workflow failed: names the step, keeps the function's message."""


async def run_graph(graph: WorkflowGraph, bound: Mapping[str, Callable[..., Any]],
                    given: Mapping[str, Any], targets: set[str] | None = None,
                    ) -> dict[str, Any]:
    """Run the nodes that feed `targets` (default: every node); `given` holds values for
    reference nodes by id (a reference not given uses the value saved on it). Returns each
    node's output values, by node id then port id; a subject's value is under "in"."""
    wanted: set[str] = set(graph.nodes)
    if targets is not None:
        wanted = set().union(*(graph.upstream(t) for t in targets)) if targets else set()
    values: dict[str, dict[str, Any]] = {}
    for node_id in graph.order:
        if node_id not in wanted:
            continue
        node, role = graph.nodes[node_id], graph.role[node_id]
        arriving = _arriving(graph, node, values)
        if role == "reference":
            port = node["outputs"][0]["id"]
            if node_id in given:
                value = given[node_id]
            elif node["inputs"] and arriving.get(node["inputs"][0]["id"]) is not None:
                value = arriving[node["inputs"][0]["id"]]  # a relay of another node's value
            else:
                value = node["data"].get(port)
            values[node_id] = {port: value}
        elif role == "subject":
            values[node_id] = {"in": arriving.get(node["inputs"][0]["id"])}
        else:
            values[node_id] = await _run_step(node, arriving, bound)
    return values


def _arriving(graph: WorkflowGraph, node: dict[str, Any],
              values: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    arriving = {}
    for port in node["inputs"]:
        edge = graph.incoming(node["id"], port["id"])
        if edge is not None:
            arriving[port["id"]] = values.get(edge["from_node_id"], {}).get(
                edge["from_port_id"])
        else:
            arriving[port["id"]] = node["data"].get(port["id"])
    return arriving


async def _run_step(node: dict[str, Any], arriving: Mapping[str, Any],
                    bound: Mapping[str, Callable[..., Any]]) -> dict[str, Any]:
    kind = node.get("kind", "fn")
    label = node["label"]
    if kind != "fn":
        where = node.get("model_id") or node.get("space_id") or node.get("dataset_id") or ""
        raise WorkflowStepError(
            f"Step {label!r} is a Hugging Face {kind}{f' ({where})' if where else ''}: porch "
            "runs workflows on this machine and calls no hosted service. Bind a Python "
            "function that does this step (Workflow(bind=[...])) and use it instead.")
    fn = bound.get(str(node.get("fn")))
    if fn is None:
        raise WorkflowStepError(f"Step {label!r} names the function {node.get('fn')!r}, "
                                f"which this workflow does not bind ({', '.join(bound)}).")
    args = [arriving.get(port["id"]) for port in node["inputs"]]
    try:
        if inspect.iscoroutinefunction(fn):
            result = await fn(*args)
        else:
            import anyio.to_thread  # on first run: `import porch` loads no server library

            result = await anyio.to_thread.run_sync(lambda: fn(*args))
    except Error as exc:
        raise WorkflowStepError(f"Step {label!r}: {exc.message}") from exc
    except Exception as exc:
        raise WorkflowStepError(f"Step {label!r} failed: {type(exc).__name__}: {exc}") from exc
    outputs = node["outputs"]
    if len(outputs) == 1:
        return {outputs[0]["id"]: result}
    if not isinstance(result, (list, tuple)) or len(result) < len(outputs):
        raise WorkflowStepError(f"Step {label!r} has {len(outputs)} outputs; its function "
                                f"returned {type(result).__name__}.")
    return {port["id"]: result[int(port.get("output_index", i))]
            for i, port in enumerate(outputs)}


def check_runnable(graph: WorkflowGraph, bound: Mapping[str, Callable[..., Any]]) -> None:
    """Refuse a graph whose function steps name functions the workflow does not bind."""
    for node in graph.by_role["operator"]:
        if node.get("kind", "fn") == "fn" and str(node.get("fn")) not in bound:
            raise WorkflowGraphError(
                f"Step {node['label']!r} names the function {node.get('fn')!r}, which is not "
                f"bound (bound: {', '.join(bound) or 'none'}).")
