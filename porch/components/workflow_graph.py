"""The graph of a `gr.Workflow`: nodes joined by edges, as the canvas draws it and the
workflow runs it. The JSON shape is Gradio's workflow schema version 2, so a workflow file
moves between the two frameworks:

    {"schema_version": "2", "name": ...,
     "references": [...],   fixed or caller-given inputs (a value on their output port)
     "operators":  [...],   steps; porch runs those of kind "fn" (a function bound in Python)
     "subjects":   [...],   results (the value arriving on their input port)
     "edges": [{"id", "from_node_id", "from_port_id", "to_node_id", "to_port_id", "type"}]}

Every node has an `id`, a `label`, `inputs` and `outputs` (ports: `{"id", "label", "type"}`)
and `data` (values by port id). Pure data: nothing here runs a function.
"""

from __future__ import annotations

import inspect
import json
import re
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from typing import Any, get_type_hints

from porch.errors import ConfigError

SCHEMA_VERSION = "2"
ROLES = ("reference", "operator", "subject")
# Port types whose values are files (they pass the file gate both ways).
MEDIA_PORT_TYPES = frozenset({"image", "audio", "video", "file", "gallery", "model3d"})
# A function's annotations -> the type of its port; anything else is text.
_PORT_OF_ANNOTATION: dict[Any, str] = {int: "number", float: "number", bool: "boolean",
                                       dict: "json", list: "json"}
MAX_GRAPH_BYTES = 5 * 1024 * 1024


class WorkflowGraphError(ConfigError):
    """A workflow graph that cannot be read or run as it stands (says which part)."""


class WorkflowGraph:
    """A checked schema-v2 graph, indexed by node id."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        if not isinstance(data, Mapping):
            raise WorkflowGraphError("A workflow graph is a JSON object.")
        if str(data.get("schema_version")) != SCHEMA_VERSION:
            raise WorkflowGraphError(
                f"A workflow graph needs \"schema_version\": \"{SCHEMA_VERSION}\", got "
                f"{data.get('schema_version')!r}.")
        self.name = str(data.get("name") or "Workflow")
        self.nodes: dict[str, dict[str, Any]] = {}
        self.role: dict[str, str] = {}
        self.by_role: dict[str, list[dict[str, Any]]] = {}
        for role in ROLES:
            listed = data.get(role + "s") or []
            if not isinstance(listed, list):
                raise WorkflowGraphError(f"The workflow's {role}s must be a list.")
            self.by_role[role] = []
            for index, node in enumerate(listed):
                node = _checked_node(node, role, index)
                if node["id"] in self.nodes:
                    raise WorkflowGraphError(f"Two workflow nodes have the id {node['id']!r}.")
                self.nodes[node["id"]] = node
                self.role[node["id"]] = role
                self.by_role[role].append(node)
        edges = data.get("edges") or []
        if not isinstance(edges, list):
            raise WorkflowGraphError("The workflow's edges must be a list.")
        self.edges = [self._checked_edge(edge, index) for index, edge in enumerate(edges)]
        self.order = topological_order(list(self.nodes), self.edges)

    @classmethod
    def from_json(cls, text: str | bytes) -> WorkflowGraph:
        if len(text) > MAX_GRAPH_BYTES:
            raise WorkflowGraphError("A workflow graph is at most 5 MB.")
        try:
            data = json.loads(text)
        except (TypeError, ValueError) as exc:
            raise WorkflowGraphError(f"The workflow is not valid JSON: {exc}") from None
        return cls(data)

    def to_dict(self) -> dict[str, Any]:
        return {"schema_version": SCHEMA_VERSION, "name": self.name,
                **{role + "s": self.by_role[role] for role in ROLES}, "edges": self.edges}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    def _checked_edge(self, edge: Any, index: int) -> dict[str, Any]:
        keys = ("from_node_id", "from_port_id", "to_node_id", "to_port_id")
        if not isinstance(edge, dict) or not all(
                isinstance(edge.get(k), str) and edge[k] for k in keys):
            raise WorkflowGraphError(f"Workflow edge {index} needs {', '.join(keys)}.")
        for end, ports in (("from", "outputs"), ("to", "inputs")):
            node = self.nodes.get(edge[f"{end}_node_id"])
            if node is None:
                raise WorkflowGraphError(
                    f"Workflow edge {index} names no node {edge[f'{end}_node_id']!r}.")
            if not any(p["id"] == edge[f"{end}_port_id"] for p in node[ports]):
                raise WorkflowGraphError(
                    f"Workflow edge {index}: node {node['id']!r} has no {ports[:-1]} port "
                    f"{edge[f'{end}_port_id']!r}.")
        return {"id": str(edge.get("id") or f"edge_{index}"), **{k: edge[k] for k in keys},
                "type": str(edge.get("type") or "text")}

    # ---- reading it ------------------------------------------------------------------------
    def incoming(self, node_id: str, port_id: str) -> dict[str, Any] | None:
        return next((e for e in self.edges if e["to_node_id"] == node_id
                     and e["to_port_id"] == port_id), None)

    def upstream(self, node_id: str) -> set[str]:
        """`node_id` and every node that feeds it, directly or not."""
        seen, todo = {node_id}, deque([node_id])
        while todo:
            current = todo.popleft()
            for edge in self.edges:
                if edge["to_node_id"] == current and edge["from_node_id"] not in seen:
                    seen.add(edge["from_node_id"])
                    todo.append(edge["from_node_id"])
        return seen

    def result_groups(self) -> list[list[dict[str, Any]]]:
        """Subjects grouped by connected pipeline (edges taken both ways), in file order:
        each group is one API endpoint returning its subjects' values."""
        parent = {node_id: node_id for node_id in self.nodes}

        def root(node_id: str) -> str:
            while parent[node_id] != node_id:
                parent[node_id] = parent[parent[node_id]]
                node_id = parent[node_id]
            return node_id

        for edge in self.edges:
            parent[root(edge["from_node_id"])] = root(edge["to_node_id"])
        groups: dict[str, list[dict[str, Any]]] = {}
        for subject in self.by_role["subject"]:
            groups.setdefault(root(subject["id"]), []).append(subject)
        return list(groups.values())

    def free_inputs(self, group: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
        """The references a caller supplies for a group: those feeding it with no edge in."""
        feeding: set[str] = set()
        for subject in group:
            feeding |= self.upstream(subject["id"])
        return [ref for ref in self.by_role["reference"] if ref["id"] in feeding
                and not any(e["to_node_id"] == ref["id"] for e in self.edges)]


def port_type(node: Mapping[str, Any], ports: str = "outputs") -> str:
    listed = node.get(ports) or []
    return str((listed[0].get("type") if listed else None) or node.get("asset_type") or "text")


def slug(label: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", label.strip().lower()).strip("_") or "output"


def group_api_names(groups: list[list[dict[str, Any]]]) -> list[str]:
    """One endpoint name per result group, from its first subject's label, made unique."""
    names: list[str] = []
    for group in groups:
        name = slug(str(group[0].get("label") or "output"))
        while name in names:
            name += "_"
        names.append(name)
    return names


def topological_order(node_ids: list[str], edges: list[dict[str, Any]]) -> list[str]:
    """Kahn's order (ties kept in file order); a cycle is an error naming its nodes."""
    waiting = dict.fromkeys(node_ids, 0)
    after: dict[str, list[str]] = {node_id: [] for node_id in node_ids}
    for edge in edges:
        waiting[edge["to_node_id"]] += 1
        after[edge["from_node_id"]].append(edge["to_node_id"])
    ready = deque(node_id for node_id in node_ids if waiting[node_id] == 0)
    order: list[str] = []
    while ready:
        node_id = ready.popleft()
        order.append(node_id)
        for following in after[node_id]:
            waiting[following] -= 1
            if waiting[following] == 0:
                ready.append(following)
    if len(order) < len(node_ids):
        stuck = sorted(set(node_ids) - set(order))
        raise WorkflowGraphError(f"The workflow has a cycle through {', '.join(stuck)}.")
    return order


def _checked_node(node: Any, role: str, index: int) -> dict[str, Any]:
    if not isinstance(node, dict) or not isinstance(node.get("id"), str) or not node["id"]:
        raise WorkflowGraphError(f"Workflow {role} {index} needs a string id.")
    checked = {**node, "role": role, "label": str(node.get("label") or node["id"])}
    for ports in ("inputs", "outputs"):
        listed = node.get(ports) or []
        if not isinstance(listed, list) or not all(
                isinstance(p, dict) and isinstance(p.get("id"), str) for p in listed):
            raise WorkflowGraphError(f"Workflow node {node['id']!r}: {ports} must be a list "
                                     "of ports with string ids.")
        checked[ports] = [{**p, "label": str(p.get("label") or p["id"]),
                           "type": str(p.get("type") or "text")} for p in listed]
    if role == "reference" and not checked["outputs"]:
        checked["outputs"] = [{"id": "out", "label": checked["label"],
                               "type": str(node.get("asset_type") or "text")}]
    if role == "subject" and not checked["inputs"]:
        checked["inputs"] = [{"id": "in", "label": checked["label"],
                              "type": str(node.get("asset_type") or "text")}]
    data = node.get("data") or {}
    if not isinstance(data, dict):
        raise WorkflowGraphError(f"Workflow node {node['id']!r}: data must be an object.")
    checked["data"] = dict(data)
    return checked


# ---- a graph from bound functions ---------------------------------------------------------
def function_ports(fn: Callable[..., Any]) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """A bound function's input ports (its parameters, but those porch fills in) and its one
    output port, typed from its annotations."""
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError):
        signature = inspect.Signature()
    try:
        hints = get_type_hints(fn)
    except Exception:  # noqa: BLE001 - unresolvable annotations just mean "text"
        hints = {}
    inputs = [{"id": f"in_{name}", "label": name,
               "type": _PORT_OF_ANNOTATION.get(hints.get(name, param.annotation), "text")}
              for name, param in signature.parameters.items()
              if param.kind not in (param.VAR_POSITIONAL, param.VAR_KEYWORD)
              and not _filled_in_by_porch(hints.get(name))]
    output = {"id": "out_0", "label": "output",
              "type": _PORT_OF_ANNOTATION.get(hints.get("return"), "text")}
    return inputs, [output]


def _filled_in_by_porch(hint: Any) -> bool:
    # Request, Progress, OAuth values...: porch passes these, the graph does not.
    module = getattr(hint, "__module__", "") or ""
    return module.startswith(("porch.", "gradio.", "starlette."))


def graph_from_functions(bound: Mapping[str, Callable[..., Any]],
                         edges: list[tuple[str, str]] | None, name: str) -> WorkflowGraph:
    """A runnable graph from `bind=` and `edges=`: one step per function, joined as `edges`
    says; every input nothing feeds gets an input node, every output nothing reads a result
    node, so the workflow runs (and has an API) before anyone draws on the canvas."""
    operators: list[dict[str, Any]] = []
    for fn_name, fn in bound.items():
        inputs, outputs = function_ports(fn)
        operators.append({"id": f"fn_{fn_name}", "role": "operator", "kind": "fn",
                          "fn": fn_name, "label": fn_name, "inputs": inputs,
                          "outputs": outputs, "data": {}})
    by_fn = {node["fn"]: node for node in operators}
    wired = [_edge(index, *_endpoint(src, "outputs", by_fn), *_endpoint(dst, "inputs", by_fn))
             for index, (src, dst) in enumerate(edges or [])]
    references: list[dict[str, Any]] = []
    subjects: list[dict[str, Any]] = []
    for node in operators:
        for port in node["inputs"]:
            if not any(e["to_node_id"] == node["id"] and e["to_port_id"] == port["id"]
                       for e in wired):
                ref_id = f"input_{node['fn']}_{port['label']}"
                references.append({"id": ref_id, "role": "reference", "label": port["label"],
                                   "asset_type": port["type"], "inputs": [],
                                   "outputs": [{"id": "out", "label": port["label"],
                                                "type": port["type"]}], "data": {}})
                wired.append(_edge(len(wired), ref_id, "out", node["id"], port["id"]))
        for port in node["outputs"]:
            if not any(e["from_node_id"] == node["id"] for e in wired):
                subject_id = f"result_{node['fn']}"
                subjects.append({"id": subject_id, "role": "subject", "label": node["fn"],
                                 "asset_type": port["type"], "outputs": [],
                                 "inputs": [{"id": "in", "label": node["fn"],
                                             "type": port["type"]}], "data": {}})
                wired.append(_edge(len(wired), node["id"], port["id"], subject_id, "in"))
    return WorkflowGraph({"schema_version": SCHEMA_VERSION, "name": name,
                          "references": references, "operators": operators,
                          "subjects": subjects, "edges": wired})


def _endpoint(spec: str, ports: str, by_fn: Mapping[str, dict[str, Any]]) -> tuple[str, str]:
    fn_name, _, wanted = spec.partition(".")
    node = by_fn.get(fn_name.strip())
    if node is None:
        raise WorkflowGraphError(f"edges: no function {fn_name.strip()!r} in bind=; bound: "
                                 f"{', '.join(by_fn) or 'none'}.")
    listed = node[ports]
    if not listed:
        raise WorkflowGraphError(f"edges: {fn_name} has no {ports}.")
    wanted = wanted.strip()
    port = next((p for p in listed if wanted in (p["label"], p["id"])), None) if wanted \
        else listed[0]
    if port is None:
        raise WorkflowGraphError(f"edges: {fn_name} has no {ports[:-1]} {wanted!r}; it has "
                                 f"{', '.join(p['label'] for p in listed)}.")
    return node["id"], port["id"]


def _edge(index: int, from_node: str, from_port: str, to_node: str,
          to_port: str) -> dict[str, Any]:
    return {"id": f"edge_{index}", "from_node_id": from_node, "from_port_id": from_port,
            "to_node_id": to_node, "to_port_id": to_port, "type": "text"}
