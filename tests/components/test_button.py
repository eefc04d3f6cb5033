"""Buttons (variants, sizes, icons, links), ClearButton, and BrowserState."""

from __future__ import annotations

from pathlib import Path

import pytest

import porch as gr
from porch.components.base import Conversion
from porch.errors import ConfigError, Error
from tests.components.conftest import FILE_URL, Gate

NO_FILES = Conversion()


def test_button_props_and_validation() -> None:
    button = gr.Button("Go", variant="stop", size="sm", link="https://example.com/",
                       link_target="_blank")
    entry = button.config()
    props = entry["props"]
    assert entry["skip_api"] is True and "api_info" not in entry
    assert (props["value"], props["variant"], props["size"]) == ("Go", "stop", "sm")
    assert props["link"] == "https://example.com/" and props["link_target"] == "_blank"
    assert props["min_width"] is None  # buttons size to their row, as in Gradio
    for bad in ({"variant": "danger"}, {"size": "xl"}, {"link_target": "_new"}):
        with pytest.raises(ConfigError):
            gr.Button("x", **bad)  # type: ignore[arg-type]


def test_button_icon_goes_through_the_gate(gate: Gate, monkeypatch: pytest.MonkeyPatch) -> None:
    icon = gate.work / "icon.png"
    icon.write_bytes(b"\x89PNG\r\n\x1a\nicon")
    monkeypatch.chdir(gate.work)
    props = gr.Button("Go", icon="icon.png").config(gate.conversion)["props"]
    assert props["icon"]["url"].startswith(FILE_URL)
    assert gate.is_issued(props["icon"]["path"])
    # Without the served app (no gate) a local icon is left out rather than exposed.
    assert gr.Button("Go", icon="icon.png").config()["props"]["icon"] is None
    remote = gr.Button("Go", icon="https://example.com/i.png").config()["props"]["icon"]
    assert remote["url"] == "https://example.com/i.png"


def test_button_icon_outside_the_allowed_places_is_refused(gate: Gate) -> None:
    secret = gate.outside / "secret.png"
    secret.write_bytes(b"nope")
    with pytest.raises(Exception, match="secret.png"):
        gr.Button("Go", icon=str(secret)).config(gate.conversion)


def test_clear_button_registers_a_browser_side_clear() -> None:
    with gr.Blocks() as demo:
        box = gr.Textbox()
        number = gr.Number()
        state = gr.State([1])
        clear = gr.ClearButton([box, state], value="Reset")
        clear.add(number)
    assert clear.config()["type"] == "button" and clear.value == "Reset"
    browser, server = demo.dependencies
    assert browser.js == "clear" and browser.fn is None and browser.queue is False
    assert [c.id for c in browser.outputs] == [box.id, number.id]
    assert browser.api_visibility == "private" and browser.targets == [(clear.id, "click")]
    # State lives on the server: a private event puts its starting value back.
    assert server.outputs == [state] and server.api_visibility == "private"
    assert server.fn is not None and server.fn() == [1]


def test_clear_button_setup_errors() -> None:
    with pytest.raises(ConfigError, match="inside a `with porch.Blocks"):
        gr.ClearButton(gr.Textbox(render=False))
    with gr.Blocks():
        with pytest.raises(ConfigError, match="clears components"):
            gr.ClearButton(["not a component"])  # type: ignore[list-item]


def test_browser_state() -> None:
    store = gr.BrowserState({"n": 1}, storage_key="prefs")
    entry = store.config()
    assert entry["type"] == "browserstate" and entry["skip_api"] is False
    props = entry["props"]
    assert props["storage_key"] == "prefs" and props["default_value"] == {"n": 1}
    assert props["visible"] is False
    assert store.preprocess([1, "a"], NO_FILES) == [1, "a"]
    assert store.postprocess((1, 2), NO_FILES) == [1, 2]
    with pytest.raises(Error, match="JSON values"):
        store.postprocess(Path("."), NO_FILES)
    # Without a key, each app start makes its own (as Gradio does).
    assert gr.BrowserState().storage_key != gr.BrowserState().storage_key
    assert store.api_parameter()["python_type"]["type"] == "str | float | bool | list | dict"


def test_browser_state_signature_is_gradios_and_secret_warns() -> None:
    import inspect

    import gradio

    from porch.unhonoured import UnhonouredOptionWarning, reset_for_tests

    ours = inspect.signature(gr.BrowserState).parameters
    theirs = inspect.signature(gradio.BrowserState).parameters
    assert [(n, p.kind, p.default) for n, p in ours.items()] == [
        (n, p.kind, p.default) for n, p in theirs.items()]
    reset_for_tests()
    with pytest.warns(UnhonouredOptionWarning, match="secret"):
        gr.BrowserState(1, secret="s3")
