"""gr.Workflow: a graph of bound functions run in order, one API endpoint per result group,
the canvas run event, saving behind the write token, and Hub steps refused clearly."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from gradio_client import Client

import porch as gr
from porch.components.workflow_graph import WorkflowGraph, WorkflowGraphError
from tests.conftest import launched


def clean(text: str) -> str:
    return " ".join(text.split())


def shout(text: str, times: int) -> str:
    return (text.upper() + "!") * int(times)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, gr.Workflow]]:
    graph = tmp_path_factory.mktemp("wf") / "workflow.json"
    demo = gr.Workflow(str(graph), bind=[clean, shout], edges=[("clean", "shout.text")])
    with launched(demo) as url:
        yield url, demo


def test_the_graph_runs_in_order_through_gradio_client(served: tuple[str, gr.Workflow]) -> None:
    url, _ = served
    client = Client(url + "/", verbose=False)
    assert list(client.view_api(return_format="dict")["named_endpoints"]) == ["/shout"]
    assert client.predict("  hi   there ", 2, api_name="/shout") == "HI THERE!HI THERE!"


def test_a_step_that_raises_names_the_step(served: tuple[str, gr.Workflow]) -> None:
    url, _ = served
    client = Client(url + "/", verbose=False)
    with pytest.raises(Exception, match="not a number"):
        client.predict("x", "not a number", api_name="/shout")
    assert client.predict("ok", 1, api_name="/shout") == "OK!"

    def broken(text: str) -> str:
        raise ValueError("no vowels")

    import asyncio

    from porch.blocks.workflow_run import WorkflowStepError, run_graph
    from porch.components.workflow_graph import graph_from_functions
    graph = graph_from_functions({"broken": broken}, None, "w")
    with pytest.raises(WorkflowStepError, match="Step 'broken' failed: ValueError: no vowels"):
        asyncio.run(run_graph(graph, {"broken": broken}, {}))


def test_saving_needs_the_write_token(served: tuple[str, gr.Workflow]) -> None:
    url, demo = served
    graph = demo.current_graph().to_dict()
    graph["name"] = "Renamed"
    deps = httpx.get(url + "/config").json()["dependencies"]
    save = next(d["id"] for d in deps if d["api_name"] == "save_workflow")

    # Saving is a UI-only event: sent as the page sends it, with the page shell's proof.
    page = httpx.Client()
    proof = re.search(r'name="porch-page-proof" content="(\w+)"', page.get(url + "/").text)
    assert proof is not None

    def join(query: str) -> list[str]:
        session = f"s{query[-4:]}" if query else "s-none"
        answer = page.post(f"{url}/gradio_api/queue/join{query}", json={
            "data": [json.dumps(graph)], "fn_index": save, "session_hash": session},
            headers={"x-porch-page-proof": proof.group(1)})
        assert answer.status_code == 200, answer.text
        with page.stream("GET", f"{url}/gradio_api/queue/data",
                         params={"session_hash": session}, timeout=30) as stream:
            lines = []
            for line in stream.iter_lines():
                lines.append(line)
                if "process_completed" in line:
                    return lines
        return lines

    try:
        refused = "".join(join(""))
        assert "write-access link" in refused and not demo.graph_file.exists()
        done = "".join(join(f"?write_token={demo.write_token}"))
    finally:
        page.close()
    assert '"success": true' in done or '"success":true' in done
    assert json.loads(demo.graph_file.read_text())["name"] == "Renamed"


def test_hub_steps_and_cycles_are_refused_clearly(tmp_path: Path) -> None:
    hub = {"schema_version": "2", "operators": [
        {"id": "m", "kind": "model", "model_id": "some/model", "inputs": [], "outputs": []}]}
    (tmp_path / "hub.json").write_text(json.dumps(hub))
    demo = gr.Workflow(str(tmp_path / "hub.json"))
    import asyncio

    from porch.blocks.workflow_run import WorkflowStepError, run_graph
    with pytest.raises(WorkflowStepError, match="Hugging Face model"):
        asyncio.run(run_graph(demo.current_graph(), {}, {}))
    loop = {"schema_version": "2", "operators": [
        {"id": a, "kind": "fn", "fn": "clean", "inputs": [{"id": "i"}], "outputs": [{"id": "o"}]}
        for a in ("a", "b")], "edges": [
        {"from_node_id": "a", "from_port_id": "o", "to_node_id": "b", "to_port_id": "i"},
        {"from_node_id": "b", "from_port_id": "o", "to_node_id": "a", "to_port_id": "i"}]}
    with pytest.raises(WorkflowGraphError, match="cycle"):
        WorkflowGraph(loop)
    with pytest.raises(WorkflowGraphError, match="no function 'nope'"):
        gr.Workflow(str(tmp_path / "new.json"), bind=[clean], edges=[("nope", "clean")])
