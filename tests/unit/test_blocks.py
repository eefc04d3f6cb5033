"""Blocks and Interface: the tree, the config, the API description, value conversion."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

import pytest

import porch as gr
from porch.components.base import Conversion
from porch.errors import ConfigError, InvalidRequest


def greet(name: str) -> str:
    return "Hello " + name


def test_layout_tree_follows_the_with_blocks() -> None:
    with gr.Blocks() as demo:
        with gr.Row() as row:
            a = gr.Textbox(label="a")
            with gr.Column() as column:
                b = gr.Textbox(label="b")
        c = gr.Markdown("x")
    assert demo.layout() == {"id": demo.id, "children": [
        {"id": row.id, "children": [{"id": a.id}, {"id": column.id, "children": [{"id": b.id}]}]},
        {"id": c.id},
    ]}
    types = {entry["id"]: entry["type"] for entry in demo.config()["components"]}
    assert types[row.id] == "row" and types[column.id] == "column" and types[c.id] == "markdown"


def test_api_names_are_unique_and_lambdas_are_predict() -> None:
    with gr.Blocks():
        box = gr.Textbox()
        button = gr.Button()
        first = button.click(greet, box, box)
        second = button.click(greet, box, box)
        third = button.click(lambda x: x, box, box)
        named = button.click(greet, box, box, api_name="/custom")
    assert [d.api_name for d in (first, second, third, named)] == [
        "greet", "greet_1", "predict", "custom"]


def test_private_and_undocumented_endpoints() -> None:
    with gr.Blocks() as demo:
        box = gr.Textbox()
        button = gr.Button()
        button.click(greet, box, box, api_name="shown")
        button.click(greet, box, box, api_name="hidden", api_visibility="undocumented")
        button.click(greet, box, box, api_name=False)
    assert list(demo.api_info()["named_endpoints"]) == ["/shown"]
    assert list(demo.api_info(all_endpoints=True)["named_endpoints"]) == ["/shown", "/hidden"]


def test_generator_detection_sees_through_partials() -> None:
    def count(n: int) -> Iterator[int]:
        yield from range(n)

    with gr.Blocks() as demo:
        box = gr.Number()
        button = gr.Button()
        dep = button.click(functools.partial(count), box, box)
    assert demo.config()["dependencies"][dep.id]["types"]["generator"] is True


def test_interface_builds_inputs_outputs_and_a_named_endpoint() -> None:
    demo = gr.Interface(greet, "text", "text", title="Greeter", description="Says hello")
    config = demo.config()
    assert config["mode"] == "interface" and config["title"] == "Greeter"
    dep = config["dependencies"][0]
    assert dep["api_name"] == "greet"
    inputs = [c for c in config["components"] if c["id"] in dep["inputs"]]
    assert inputs[0]["props"]["label"] == "name"
    buttons = [c["props"]["value"] for c in config["components"] if c["type"] == "button"]
    assert buttons == ["Clear", "Submit"]
    clear = config["dependencies"][1]
    assert clear["backend_fn"] is False and clear["js"] == "clear"
    assert "/greet" in demo.api_info()["named_endpoints"]


def test_interface_rejects_unknown_shortcut() -> None:
    with pytest.raises(ConfigError, match="Unknown component shortcut 'texty'"):
        gr.Interface(greet, "texty", "text")


def test_prepare_inputs_fills_state_and_converts() -> None:
    def fn(n: float, memory: list[Any]) -> tuple[float, list[Any]]:
        return n, memory

    with gr.Blocks() as demo:
        number = gr.Number(precision=0)
        memory = gr.State([1])
        button = gr.Button()
        dep = button.click(fn, [number, memory], [number, memory])
    state: dict[int, Any] = {}
    assert demo.prepare_inputs(dep, [2.4, None], state, Conversion()) == ([2, [1]], {})
    assert demo.prepare_inputs(dep, [2.4], state, Conversion()) == ([2, [1]], {})  # State left out
    with pytest.raises(InvalidRequest, match="takes 2 input"):
        demo.prepare_inputs(dep, [], state, Conversion())
    assert demo.finish_outputs(dep, (5, [9]), state, Conversion()) == [5, None]
    assert state[memory.id] == [9]


def test_finish_outputs_names_a_wrong_count() -> None:
    with gr.Blocks() as demo:
        a, b = gr.Textbox(), gr.Textbox()
        dep = gr.Button().click(greet, a, [a, b])
    with pytest.raises(ValueError, match="greet returned 1 value\\(s\\) but /greet has 2"):
        demo.finish_outputs(dep, "only one", {}, Conversion())


def test_unknown_event_option_is_an_error() -> None:
    with gr.Blocks():
        box = gr.Textbox()
        with pytest.raises(TypeError, match="unknown event option"):
            box.change(greet, box, box, colour="red")


def test_queue_defaults() -> None:
    with gr.Blocks() as demo:
        box = gr.Textbox()
        unlimited = box.change(greet, box, box, concurrency_limit=None)
        default = box.submit(greet, box, box)
    demo.queue(default_concurrency_limit=3, max_size=10)
    assert demo.concurrency_limit_of(unlimited) is None
    assert demo.concurrency_limit_of(default) == 3
    assert demo.max_queue_size == 10
