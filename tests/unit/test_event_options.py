"""Queue options on events, checked when the app is built: limits, batches, time limits,
every=, load and unload."""

from __future__ import annotations

from typing import Any

import pytest

import porch as gr
from porch.errors import ConfigError


def echo(x: Any) -> Any:
    return x


def test_concurrency_limit_values() -> None:
    with gr.Blocks() as demo:
        box = gr.Textbox()
        for good in (1, 7, None, "default"):
            box.change(echo, box, box, concurrency_limit=good)
        for bad in (0, -1, 2.5, "many", True):
            with pytest.raises(ConfigError, match="concurrency_limit"):
                box.change(echo, box, box, concurrency_limit=bad)
    with pytest.raises(ConfigError, match="default_concurrency_limit"):
        demo.queue(default_concurrency_limit=0)
    with pytest.raises(ConfigError, match="max_size"):
        demo.queue(max_size=-1)


def test_events_sharing_a_concurrency_id_share_the_smallest_limit() -> None:
    with gr.Blocks() as demo:
        box = gr.Textbox()
        a = box.change(echo, box, box, concurrency_id="gpu", concurrency_limit=3)
        b = box.submit(echo, box, box, concurrency_id="gpu", concurrency_limit=2)
        c = box.input(echo, box, box, concurrency_id="gpu", concurrency_limit=None)
        free = box.blur(echo, box, box, concurrency_id="cpu", concurrency_limit=None)
    assert demo.concurrency_limit_of(a) == demo.concurrency_limit_of(c) == 2
    assert a.concurrency_key == b.concurrency_key == "gpu"
    assert demo.concurrency_limit_of(free) is None


def test_batch_and_time_limit_options() -> None:
    def gen(x: str) -> Any:
        yield x

    with gr.Blocks() as demo:
        box = gr.Textbox()
        state = gr.State()
        dep = box.change(echo, box, box, batch=True, max_batch_size=8, time_limit=2.5)
        with pytest.raises(ConfigError, match="max_batch_size"):
            box.change(echo, box, box, batch=True, max_batch_size=0)
        with pytest.raises(ConfigError, match="time_limit"):
            box.change(echo, box, box, time_limit=0)
        with pytest.raises(ConfigError, match="cannot read or write a State"):
            box.change(echo, [box, state], box, batch=True)
        with pytest.raises(ConfigError, match="cannot be a generator"):
            box.change(gen, box, box, batch=True)
    entry = demo.config()["dependencies"][dep.id]
    assert (entry["batch"], entry["max_batch_size"], entry["time_limit"]) == (True, 8, 2.5)


def test_every_adds_a_timer_trigger_and_load_targets_the_app() -> None:
    with gr.Blocks() as demo:
        box = gr.Textbox()
    loaded = demo.load(lambda: "hi", None, box)
    repeated = demo.load(lambda: "again", None, box, every=0.5)
    config = demo.config()
    assert loaded.targets == [(demo.id, "load")]
    timer_id = repeated.targets[1][0]
    assert repeated.targets == [(demo.id, "load"), (timer_id, "tick")]
    timer = next(c for c in config["components"] if c["id"] == timer_id)
    assert timer["type"] == "timer" and timer["props"]["value"] == 0.5
    assert timer["props"]["active"] is True
    assert all(c["id"] != demo.id for c in config["components"])  # the app is no component


def test_timer_component() -> None:
    with gr.Blocks() as demo:
        timer = gr.Timer(2, active=False)
        out = gr.Number()
        dep = timer.tick(lambda: 1, None, out)
    entry = next(c for c in demo.config()["components"] if c["id"] == timer.id)
    assert entry["props"]["active"] is False and entry["props"]["visible"] is False
    assert dep.targets == [(timer.id, "tick")]
    with pytest.raises(ConfigError, match="positive number of seconds"):
        gr.Timer(0)


def test_unload_is_private_and_asks_for_a_heartbeat() -> None:
    with gr.Blocks() as demo:
        gr.Textbox()
    assert demo.config()["connect_heartbeat"] is False
    dep = demo.unload(lambda: None)
    assert demo.config()["connect_heartbeat"] is True
    assert dep.api_visibility == "private" and demo.unload_events() == [dep]
    assert dep.api_name not in {n.lstrip("/") for n in demo.api_info()["named_endpoints"]}


def test_cancel_only_events_are_typed_as_cancels() -> None:
    with gr.Blocks() as demo:
        box = gr.Textbox()
        running = box.submit(echo, box, box)
        stop = gr.Button().click(None, None, None, cancels=[running])
    entry = demo.config()["dependencies"][stop.id]
    assert entry["cancels"] == [running.id] and entry["types"]["cancel"] is True
